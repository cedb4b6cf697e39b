// Emails typed into the register and login forms and the CLI.
#include "core/email.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size)
{
    const std::string_view email(reinterpret_cast<const char*>(data), size);

    if (mfo::core::email_problem(email)) {
        return 0;
    }
    // Uniqueness rests on the key: keying a key must change nothing, or
    // an address typed as another's key would slip past the unique index.
    const std::string key = mfo::core::email_key(email);
    if (!mfo::core::email_problem(key) && mfo::core::email_key(key) != key) {
        std::abort();
    }
    return 0;
}
