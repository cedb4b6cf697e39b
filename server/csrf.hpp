#pragma once

#include <string>
#include <string_view>

namespace mfo::server {

// The anonymous CSRF cookie and the form field every POST carries.
inline constexpr std::string_view k_csrf_cookie = "mfo_csrf";
inline constexpr std::string_view k_csrf_field = "csrf_token";

// The token a login or registration form carries for a browser holding
// the anonymous CSRF cookie `cookie`: an HMAC under the secret key, so a
// site that can plant a cookie still cannot compute the matching token.
std::string anonymous_csrf_token(std::string_view secret_key,
                                 std::string_view cookie);

// Whether `sent` (the form field) matches `expected`, in constant time.
// An empty expectation never matches.
bool is_csrf_match(std::string_view expected, std::string_view sent);

} // namespace mfo::server
