// Form bodies arrive from any client before authentication.
#include "server/http_util.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size)
{
    const std::string_view body(reinterpret_cast<const char*>(data), size);

    const mfo::server::FormFields fields = mfo::server::parse_form(body);
    for (const auto& [name, value] : fields) {
        // The first value wins, so a repeat can never override it.
        if (mfo::server::form_value(fields, name) != fields.front().second &&
            name == fields.front().first) {
            std::abort();
        }
    }
    mfo::server::url_decode(body, false);

    // Encoding then decoding gives back every byte string unchanged.
    const std::string encoded = mfo::server::url_encode(body);
    if (mfo::server::url_decode(encoded, true) != body) {
        std::abort();
    }
    mfo::server::code_point_count(body);
    return 0;
}
