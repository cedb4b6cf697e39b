#include "server/csrf.hpp"

#include "core/crypto.hpp"

namespace mfo::server {

std::string anonymous_csrf_token(std::string_view secret_key,
                                 std::string_view cookie)
{
    return core::hmac_sha256_token(secret_key, "csrf:" + std::string(cookie));
}

bool is_csrf_match(std::string_view expected, std::string_view sent)
{
    return !expected.empty() && core::constant_time_equal(expected, sent);
}

} // namespace mfo::server
