#include "core/crypto.hpp"

#include "core/error.hpp"

#include <mutex>
#include <sodium.h>
#include <vector>

namespace mfo::core {
namespace {

const unsigned char* bytes_of(std::string_view text)
{
    return reinterpret_cast<const unsigned char*>(text.data());
}

std::string encode_base64(std::string_view bytes, int variant)
{
    ensure_sodium();
    std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(),
                      variant);
    out.resize(out.size() - 1); // the encoder counts its terminating NUL
    return out;
}

} // namespace

void ensure_sodium()
{
    static std::once_flag once;
    static bool is_ready = false;
    std::call_once(once, [] { is_ready = sodium_init() >= 0; });
    if (!is_ready) {
        throw Error("cannot initialize libsodium");
    }
}

std::string random_token(size_t bytes)
{
    ensure_sodium();
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    std::string token = to_base64url(raw);
    sodium_memzero(raw.data(), raw.size());
    return token;
}

bool constant_time_equal(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) {
        return false;
    }
    if (a.empty()) {
        return true;
    }
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hmac_sha256_token(std::string_view key, std::string_view message)
{
    ensure_sodium();
    // HMAC accepts keys of any length; libsodium's _init form allows that.
    crypto_auth_hmacsha256_state state;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&state, bytes_of(key), key.size());
    crypto_auth_hmacsha256_update(&state, bytes_of(message), message.size());
    crypto_auth_hmacsha256_final(&state, mac);
    sodium_memzero(&state, sizeof state);
    return to_base64url(
        std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

std::string sha256(std::string_view data)
{
    ensure_sodium();
    std::string digest(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                       bytes_of(data), data.size());
    return digest;
}

std::string to_base64url(std::string_view bytes)
{
    return encode_base64(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string to_base64(std::string_view bytes)
{
    return encode_base64(bytes, sodium_base64_VARIANT_ORIGINAL);
}

std::string to_hex(std::string_view bytes)
{
    std::string out(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes_of(bytes), bytes.size());
    out.pop_back();
    return out;
}

} // namespace mfo::core
