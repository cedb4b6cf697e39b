#include "server/http_util.hpp"

#include <algorithm>

namespace mfo::server {
namespace {

// Every token we issue is 32 random bytes in unpadded URL-safe Base64.
constexpr std::size_t k_token_length = 43;
constexpr std::size_t k_max_next_length = 2048;
constexpr std::size_t k_max_address_length = 45; // a full IPv6 text form

int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool is_unreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

bool is_control(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
}

std::string_view trim(std::string_view text)
{
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

bool looks_like_ip(std::string_view text)
{
    const auto is_ip_char = [](char c) {
        return hex_value(c) >= 0 || c == '.' || c == ':';
    };
    return !text.empty() && text.size() <= k_max_address_length &&
           std::all_of(text.begin(), text.end(), is_ip_char);
}

} // namespace

std::string url_decode(std::string_view text, bool is_plus_space)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+' && is_plus_space) {
            out += ' ';
        } else if (c == '%' && i + 2 < text.size() &&
                   hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 +
                                     hex_value(text[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string url_encode(std::string_view text)
{
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        if (is_unreserved(c)) {
            out += c;
            continue;
        }
        const auto byte = static_cast<unsigned char>(c);
        out += '%';
        out += k_hex[byte >> 4];
        out += k_hex[byte & 0x0f];
    }
    return out;
}

FormFields parse_form(std::string_view body)
{
    FormFields fields;
    std::size_t start = 0;
    while (start <= body.size()) {
        auto end = body.find('&', start);
        if (end == std::string_view::npos) {
            end = body.size();
        }
        const std::string_view pair = body.substr(start, end - start);
        if (!pair.empty()) {
            const auto equals = pair.find('=');
            const std::string_view name = pair.substr(0, equals);
            const std::string_view value = equals == std::string_view::npos
                                               ? std::string_view{}
                                               : pair.substr(equals + 1);
            fields.emplace_back(url_decode(name, true),
                                url_decode(value, true));
        }
        start = end + 1;
    }
    return fields;
}

std::string form_value(const FormFields& fields, std::string_view name)
{
    for (const auto& [field_name, value] : fields) {
        if (field_name == name) {
            return value;
        }
    }
    return {};
}

bool is_token(std::string_view value)
{
    const auto is_token_char = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
               (c >= '0' && c <= '9') || c == '-' || c == '_';
    };
    return value.size() == k_token_length &&
           std::all_of(value.begin(), value.end(), is_token_char);
}

std::optional<std::string> find_cookie(std::string_view header,
                                       std::string_view name)
{
    std::size_t start = 0;
    while (start < header.size()) {
        auto end = header.find(';', start);
        if (end == std::string_view::npos) {
            end = header.size();
        }
        const std::string_view pair = trim(header.substr(start, end - start));
        const auto equals = pair.find('=');
        if (equals != std::string_view::npos &&
            trim(pair.substr(0, equals)) == name) {
            const std::string_view value = trim(pair.substr(equals + 1));
            if (is_token(value)) {
                return std::string(value);
            }
        }
        start = end + 1;
    }
    return std::nullopt;
}

bool is_local_path(std::string_view next)
{
    if (next.empty() || next.size() > k_max_next_length || next[0] != '/') {
        return false;
    }
    if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) {
        return false;
    }
    return std::none_of(next.begin(), next.end(),
                        [](char c) { return c == '\\' || is_control(c); });
}

std::string client_address(std::string_view peer,
                           std::string_view forwarded_for,
                           std::string_view trusted_proxy)
{
    if (trusted_proxy.empty() || peer != trusted_proxy) {
        return std::string(peer);
    }
    // The proxy appends the address it saw last; earlier entries are
    // whatever the client chose to send.
    const auto comma = forwarded_for.rfind(',');
    const std::string_view last =
        trim(comma == std::string_view::npos ? forwarded_for
                                             : forwarded_for.substr(comma + 1));
    return looks_like_ip(last) ? std::string(last) : std::string(peer);
}

std::size_t code_point_count(std::string_view text)
{
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) {
            return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
        }));
}

} // namespace mfo::server
