// Stored password hashes: an imported Flask-Security database or an edited
// one can hold any text in the hash and scheme columns.
#include "core/error.hpp"
#include "core/password.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size)
{
    // Real hashes are short; long inputs only slow the search.
    if (size > 256) {
        return 0;
    }
    static const mfo::core::PasswordHasher hasher(mfo::core::k_minimum_cost,
                                                  "pepper", "fst-salt");
    const std::string text(reinterpret_cast<const char*>(data), size);

    // The first byte picks the scheme; the rest is the stored hash.
    static const char* const schemes[] = {"argon2id", "argon2id-hmac",
                                          "fst-argon2", "fst-bcrypt", "none"};
    const std::string scheme = size == 0 ? "" : schemes[data[0] % 5];
    const mfo::core::PasswordHash stored{size == 0 ? "" : text.substr(1),
                                         scheme};
    try {
        hasher.verify("password", stored);
    } catch (const mfo::core::Error&) {
        // A clean refusal is fine; a crash or a hang is not.
    }
    return 0;
}
