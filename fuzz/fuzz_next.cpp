// The `next` parameter: anything it accepts is followed as a redirect, so
// it must never leave the site.
#include "server/http_util.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

bool leaves_site(std::string_view next)
{
    if (next.empty() || next.front() != '/' || next.size() > 2048) {
        return true;
    }
    if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) {
        return true;
    }
    for (const char c : next) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\\' || byte < 0x20 || byte == 0x7f) {
            return true;
        }
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size)
{
    const std::string_view next(reinterpret_cast<const char*>(data), size);

    if (mfo::server::is_local_path(next) && leaves_site(next)) {
        std::abort();
    }
    // The value usually arrives percent-encoded in a query or form.
    const std::string decoded = mfo::server::url_decode(next, true);
    if (mfo::server::is_local_path(decoded) && leaves_site(decoded)) {
        std::abort();
    }
    return 0;
}
