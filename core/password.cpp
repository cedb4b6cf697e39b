#include "core/password.hpp"

#include "core/crypto.hpp"
#include "core/error.hpp"

#include <crypt.h>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sodium.h>
#include <utf8proc.h>

namespace mfo::core {
namespace {

// Anything longer is refused before normalization or hashing, whatever the
// configured policy, so no caller can feed megabytes to the hasher.
constexpr size_t k_max_password_bytes = 4096;

// bcrypt reads at most this many bytes of its input.
constexpr size_t k_bcrypt_max_bytes = 72;

// A stored hash names its own cost, and an imported or edited database can
// name any: "$2b$31$" is 2^31 rounds, "m=4194304" is 4 GiB per login. A
// hash costing more than this many times the configured argon2 cost, or a
// bcrypt cost above 16 (passlib's default is 12), is refused unverified.
constexpr unsigned long long k_max_cost_factor = 8;
constexpr int k_max_bcrypt_cost = 16;

// The number after `key` ("m=") in a PHC parameter list, or nothing.
std::optional<unsigned long long> phc_parameter(std::string_view hash,
                                                std::string_view key)
{
    const size_t at = hash.find(key);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    unsigned long long value = 0;
    size_t digits = 0;
    for (size_t i = at + key.size();
         i < hash.size() && hash[i] >= '0' && hash[i] <= '9' && digits < 12;
         ++i, ++digits) {
        value = value * 10 + static_cast<unsigned>(hash[i] - '0');
    }
    if (digits == 0 || digits == 12) {
        return std::nullopt;
    }
    return value;
}

bool is_affordable_argon2(std::string_view hash, const HashCost& cost)
{
    const auto memory = phc_parameter(hash, "$m=");
    const auto iterations = phc_parameter(hash, ",t=");
    return memory && iterations &&
           *memory <= cost.memory_kib * k_max_cost_factor &&
           *iterations <= cost.iterations * k_max_cost_factor;
}

// "$2b$12$...": the two digits after the second '$'.
bool is_affordable_bcrypt(std::string_view hash)
{
    if (hash.size() < 7 || hash[4] < '0' || hash[4] > '9' || hash[5] < '0' ||
        hash[5] > '9' || hash[6] != '$') {
        return false;
    }
    return (hash[4] - '0') * 10 + (hash[5] - '0') <= k_max_bcrypt_cost;
}

SecretString utf8_map(std::string_view text, int options)
{
    utf8proc_uint8_t* mapped = nullptr;
    const utf8proc_ssize_t length =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                     static_cast<utf8proc_ssize_t>(text.size()), &mapped,
                     static_cast<utf8proc_option_t>(options));
    if (length < 0) {
        throw Error("password is not valid UTF-8", Error::Kind::invalid);
    }
    SecretString result(std::string(reinterpret_cast<const char*>(mapped),
                                    static_cast<size_t>(length)));
    sodium_memzero(mapped, static_cast<size_t>(length));
    std::free(mapped);
    return result;
}

SecretString nfkc(std::string_view text)
{
    return utf8_map(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
}

SecretString nfkd(std::string_view text)
{
    return utf8_map(text,
                    UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT);
}

size_t code_points(std::string_view utf8)
{
    size_t count = 0;
    for (const char c : utf8) {
        // Count every byte that does not continue a sequence.
        count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }
    return count;
}

bool is_valid_utf8(std::string_view text)
{
    const auto* data = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    utf8proc_ssize_t offset = 0;
    const auto size = static_cast<utf8proc_ssize_t>(text.size());
    while (offset < size) {
        utf8proc_int32_t code_point = 0;
        const utf8proc_ssize_t used =
            utf8proc_iterate(data + offset, size - offset, &code_point);
        if (used <= 0) {
            return false;
        }
        offset += used;
    }
    return true;
}

bool argon2_verify(const std::string& hash, std::string_view input)
{
    if (hash.rfind("$argon2", 0) != 0) {
        return false;
    }
    return crypto_pwhash_str_verify(hash.c_str(), input.data(), input.size()) ==
           0;
}

bool bcrypt_verify(const std::string& hash, std::string_view input)
{
    if (hash.size() != 60 || hash.rfind("$2", 0) != 0) {
        return false;
    }
    const std::string key(input.substr(0, k_bcrypt_max_bytes));
    crypt_data data{};
    const char* computed = crypt_r(key.c_str(), hash.c_str(), &data);
    const bool is_match = computed != nullptr && computed[0] != '*' &&
                          constant_time_equal(computed, hash);
    sodium_memzero(&data, sizeof data);
    return is_match;
}

} // namespace

std::optional<std::string> password_problem(std::string_view password,
                                            std::string_view email,
                                            const PasswordPolicy& policy)
{
    const auto max_length = static_cast<size_t>(policy.max_length);
    if (password.size() > k_max_password_bytes ||
        code_points(password) > max_length) {
        return "password is longer than " + std::to_string(max_length) +
               " characters";
    }
    if (!is_valid_utf8(password) ||
        password.find('\0') != std::string_view::npos) {
        return "password is not valid text";
    }
    const SecretString normal = nfkc(password);
    if (code_points(normal.view()) < static_cast<size_t>(policy.min_length)) {
        return "password must be at least " +
               std::to_string(policy.min_length) + " characters";
    }
    const int fold = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                     UTF8PROC_CASEFOLD;
    if (!email.empty() && is_valid_utf8(email) &&
        utf8_map(password, fold).view() == utf8_map(email, fold).view()) {
        return "password must not be the email address";
    }
    return std::nullopt;
}

SecretString normalize_password(std::string_view password)
{
    return nfkc(password);
}

SecretString fst_keyed_password(std::string_view password,
                                std::string_view salt)
{
    ensure_sodium();
    const SecretString normal = nfkd(password);
    crypto_auth_hmacsha512_state state;
    unsigned char mac[crypto_auth_hmacsha512_BYTES];
    crypto_auth_hmacsha512_init(
        &state, reinterpret_cast<const unsigned char*>(salt.data()),
        salt.size());
    crypto_auth_hmacsha512_update(
        &state, reinterpret_cast<const unsigned char*>(normal.view().data()),
        normal.size());
    crypto_auth_hmacsha512_final(&state, mac);
    sodium_memzero(&state, sizeof state);
    SecretString keyed(to_base64(
        std::string_view(reinterpret_cast<const char*>(mac), sizeof mac)));
    sodium_memzero(mac, sizeof mac);
    return keyed;
}

PasswordHasher::PasswordHasher(HashCost cost, std::string pepper,
                               std::string fst_salt)
    : m_cost(cost), m_pepper(std::move(pepper)), m_fst_salt(std::move(fst_salt))
{
    ensure_sodium();
    if (cost.iterations < k_minimum_cost.iterations ||
        cost.memory_kib < k_minimum_cost.memory_kib) {
        throw Error("argon2id cost is below the OWASP minimum "
                    "(19456 KiB, 2 iterations)",
                    Error::Kind::invalid);
    }
}

std::string_view PasswordHasher::current_scheme() const
{
    return m_pepper.empty() ? k_scheme_argon2id : k_scheme_argon2id_hmac;
}

SecretString PasswordHasher::keyed_input(std::string_view password) const
{
    SecretString normal = nfkc(password);
    if (m_pepper.empty()) {
        return normal;
    }
    return SecretString(hmac_sha256_token(m_pepper.view(), normal.view()));
}

PasswordHash PasswordHasher::hash(std::string_view password) const
{
    if (password.size() > k_max_password_bytes) {
        throw Error("password is too long", Error::Kind::invalid);
    }
    const SecretString input = keyed_input(password);
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, input.view().data(), input.size(),
                          m_cost.iterations,
                          static_cast<size_t>(m_cost.memory_kib) * 1024) != 0) {
        throw Error("out of memory while hashing a password");
    }
    return PasswordHash{out, std::string(current_scheme())};
}

VerifyResult PasswordHasher::verify(std::string_view password,
                                    const PasswordHash& stored) const
{
    if (password.size() > k_max_password_bytes || !is_valid_utf8(password)) {
        return {};
    }
    const std::string& scheme = stored.scheme;
    const bool is_bcrypt = scheme == k_scheme_fst_bcrypt;
    if (is_bcrypt ? !is_affordable_bcrypt(stored.hash)
                  : !is_affordable_argon2(stored.hash, m_cost)) {
        return {};
    }
    bool is_valid = false;
    if (scheme == k_scheme_argon2id) {
        is_valid = argon2_verify(stored.hash, nfkc(password).view());
    } else if (scheme == k_scheme_argon2id_hmac && !m_pepper.empty()) {
        is_valid = argon2_verify(stored.hash, keyed_input(password).view());
    } else if (scheme == k_scheme_fst_argon2) {
        is_valid = argon2_verify(
            stored.hash,
            fst_keyed_password(password, m_fst_salt.view()).view());
    } else if (scheme == k_scheme_fst_bcrypt) {
        is_valid = bcrypt_verify(
            stored.hash,
            fst_keyed_password(password, m_fst_salt.view()).view());
    }
    if (!is_valid) {
        return {};
    }
    const bool is_outdated =
        scheme != current_scheme() ||
        crypto_pwhash_str_needs_rehash(stored.hash.c_str(), m_cost.iterations,
                                       static_cast<size_t>(m_cost.memory_kib) *
                                           1024) != 0;
    return {true, is_outdated};
}

bool PasswordHasher::verify_dummy(std::string_view password) const
{
    // Hashing at the current cost takes as long as verifying a stored hash
    // of that cost, and needs no stored dummy that could go stale.
    if (password.size() <= k_max_password_bytes && is_valid_utf8(password)) {
        hash(password);
    }
    return false;
}

} // namespace mfo::core
