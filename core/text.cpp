#include "core/text.hpp"

#include <cstdio>

namespace mfo::core {

std::string escape_controls(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
            char escaped[5];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out;
}

std::string in_quotes(std::string_view text)
{
    return "'" + escape_controls(text) + "'";
}

} // namespace mfo::core
