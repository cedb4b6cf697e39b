#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mfo::core {

// Initializes libsodium once; every function here calls it, so callers
// never need to. Throws Error if the library cannot start.
void ensure_sodium();

// `bytes` random bytes as URL-safe Base64 without padding.
std::string random_token(size_t bytes);

// Compares in time that depends only on the lengths, never on the content.
bool constant_time_equal(std::string_view a, std::string_view b);

// HMAC-SHA-256 of `message` under `key`, URL-safe Base64 without padding.
std::string hmac_sha256_token(std::string_view key, std::string_view message);

// Raw 32-byte SHA-256, used to store session ids by their hash.
std::string sha256(std::string_view data);

std::string to_base64url(std::string_view bytes);
std::string to_base64(std::string_view bytes); // standard alphabet, padded
std::string to_hex(std::string_view bytes);

} // namespace mfo::core
