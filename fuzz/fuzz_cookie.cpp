// Cookie headers and the session and CSRF tokens inside them.
#include "server/http_util.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size)
{
    const std::string_view header(reinterpret_cast<const char*>(data), size);

    for (const char* name : {"mfo_session", "mfo_csrf", ""}) {
        const auto value = mfo::server::find_cookie(header, name);
        // Whatever is handed on to the session store is a well-formed token.
        if (value && !mfo::server::is_token(*value)) {
            std::abort();
        }
    }
    mfo::server::is_token(header);
    mfo::server::client_address("127.0.0.1", header, "127.0.0.1");
    return 0;
}
