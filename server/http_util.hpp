#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mfo::server {

// Fields of an application/x-www-form-urlencoded body, in order.
using FormFields = std::vector<std::pair<std::string, std::string>>;

// Splits on '&', decodes '+' and %XX. Malformed escapes stay as written.
FormFields parse_form(std::string_view body);

// The first value of `name`, or "" when absent. Every form field is read
// this way, so a repeated field can never override the first one.
std::string form_value(const FormFields& fields, std::string_view name);

std::string url_decode(std::string_view text, bool is_plus_space);

// Percent-encodes every byte except the unreserved A-Z a-z 0-9 - . _ ~.
std::string url_encode(std::string_view text);

// Whether `value` looks like one of our tokens: exactly 43 URL-safe
// Base64 characters (32 bytes). httplib percent-decodes header values, so
// this is checked on the decoded value; anything else in a cookie is
// ignored unread.
bool is_token(std::string_view value);

// The first cookie called `name` in a Cookie header whose value is a token.
std::optional<std::string> find_cookie(std::string_view header,
                                       std::string_view name);

// Whether `next` is a path on this site: a single leading '/', no "//" or
// "/\" start, no backslash, no control characters, at most 2048 bytes.
bool is_local_path(std::string_view next);

// The address to throttle and log: the socket peer, or the last
// X-Forwarded-For entry when the peer is the configured trusted proxy.
std::string client_address(std::string_view peer,
                           std::string_view forwarded_for,
                           std::string_view trusted_proxy);

// Code points in UTF-8 text (continuation bytes are not counted); cheap
// enough to refuse an over-long password before any hashing.
std::size_t code_point_count(std::string_view text);

} // namespace mfo::server
