#include "cli/output.hpp"

#include "core/text.hpp"

#include <cstdio>

namespace mfo::cli {
namespace {

std::string json_time(const std::optional<core::Timestamp>& time)
{
    return time ? json_string(core::format_time(*time)) : "null";
}

std::string json_text(const std::optional<std::string>& text)
{
    return text ? json_string(*text) : "null";
}

std::string json_list(const std::vector<std::string>& items)
{
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i != 0) {
            out += ',';
        }
        out += json_string(items[i]);
    }
    return out + "]";
}

} // namespace

std::string json_string(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte == 0x7F) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string printable(std::string_view text)
{
    return core::escape_controls(text);
}

std::string optional_time(const std::optional<core::Timestamp>& time)
{
    return time ? core::format_time(*time) : "never";
}

void write_user_json(std::ostream& out, const core::User& user)
{
    out << "{\"id\":" << user.id << ",\"email\":" << json_string(user.email)
        << ",\"username\":" << json_text(user.username)
        << ",\"active\":" << (user.is_active ? "true" : "false")
        << ",\"roles\":" << json_list(user.roles)
        << ",\"password_scheme\":" << json_string(user.password.scheme)
        << ",\"confirmed_at\":" << json_time(user.confirmed_at)
        << ",\"created_at\":" << json_time(user.created_at)
        << ",\"updated_at\":" << json_time(user.updated_at)
        << ",\"last_login_at\":" << json_time(user.last_login_at)
        << ",\"last_login_ip\":" << json_text(user.last_login_ip)
        << ",\"current_login_at\":" << json_time(user.current_login_at)
        << ",\"current_login_ip\":" << json_text(user.current_login_ip)
        << ",\"login_count\":" << user.login_count << '}';
}

void write_role_json(std::ostream& out, const core::Role& role)
{
    out << "{\"name\":" << json_string(role.name)
        << ",\"description\":" << json_string(role.description)
        << ",\"permissions\":" << json_list(role.permissions)
        << ",\"users\":" << role.user_count << '}';
}

} // namespace mfo::cli
