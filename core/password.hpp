#pragma once

#include "core/secret.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mfo::core {

struct PasswordPolicy {
    int min_length = 8;   // in characters (code points) after NFKC
    int max_length = 128; // refused before any hashing happens
};

// Why a new password is refused, or nothing. Checks the length in code
// points, valid UTF-8, no NUL, and that it is not the email itself.
std::optional<std::string> password_problem(std::string_view password,
                                            std::string_view email,
                                            const PasswordPolicy& policy);

// The password in Unicode NFKC, so the same text typed on two keyboards
// hashes alike. Throws Error(invalid) on invalid UTF-8.
SecretString normalize_password(std::string_view password);

// How a stored hash was made; kept beside each hash in the store.
//   argon2id           argon2id of the NFKC password
//   argon2id-hmac      argon2id of HMAC-SHA-256(pepper, NFKC password)
//   fst-argon2, fst-bcrypt
//                      made by Flask-Security-Too (imported); verified with
//                      its salt and replaced at the next login
//   none               no usable hash: the user must be given a password
inline constexpr std::string_view k_scheme_argon2id = "argon2id";
inline constexpr std::string_view k_scheme_argon2id_hmac = "argon2id-hmac";
inline constexpr std::string_view k_scheme_fst_argon2 = "fst-argon2";
inline constexpr std::string_view k_scheme_fst_bcrypt = "fst-bcrypt";
inline constexpr std::string_view k_scheme_none = "none";

struct PasswordHash {
    std::string hash;   // the PHC or crypt string
    std::string scheme; // one of the k_scheme_* names
};

struct HashCost {
    unsigned long long iterations = 2;
    unsigned long long memory_kib = 65536;
};

// OWASP's minimum for argon2id: 19 MiB and 2 iterations.
inline constexpr HashCost k_minimum_cost{2, 19456};

struct VerifyResult {
    bool is_valid = false;
    bool needs_rehash = false; // valid, but made with another scheme or cost
};

class PasswordHasher {
public:
    // `pepper` may be empty; `fst_salt` only matters for imported hashes.
    // Throws Error(invalid) for a cost below k_minimum_cost.
    PasswordHasher(HashCost cost, std::string pepper,
                   std::string fst_salt = {});

    // Hashes the NFKC form of `password` with the current scheme.
    PasswordHash hash(std::string_view password) const;

    // Checks `password` against a stored hash made with `stored.scheme`.
    VerifyResult verify(std::string_view password,
                        const PasswordHash& stored) const;

    // Spends as long as a real verification, so an unknown email takes as
    // long as a wrong password. Always returns false.
    bool verify_dummy(std::string_view password) const;

    const HashCost& cost() const { return m_cost; }
    std::string_view current_scheme() const;

private:
    SecretString keyed_input(std::string_view password) const;

    HashCost m_cost;
    SecretString m_pepper;
    SecretString m_fst_salt;
};

// FST's keyed form of a password: Base64(HMAC-SHA-512(salt, NFKD(password))).
SecretString fst_keyed_password(std::string_view password,
                                std::string_view salt);

} // namespace mfo::core
