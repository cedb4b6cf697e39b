#include "core/email.hpp"

#include "core/error.hpp"

#include <cstdlib>
#include <memory>
#include <utf8proc.h>

namespace mfo::core {
namespace {

constexpr std::size_t k_min_length = 3;
constexpr std::size_t k_max_length = 254;
constexpr std::size_t k_max_local_length = 64;

const utf8proc_uint8_t* bytes_of(std::string_view text)
{
    return reinterpret_cast<const utf8proc_uint8_t*>(text.data());
}

// Spaces, line breaks, controls (C0, DEL, C1) and invisible format
// characters such as bidi overrides, which would let two different
// addresses look alike on screen.
bool is_refused_character(utf8proc_int32_t code_point)
{
    switch (utf8proc_category(code_point)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return true;
    default:
        return false;
    }
}

// Why the characters are refused: invalid UTF-8 or a refused character.
std::optional<std::string> character_problem(std::string_view email)
{
    std::size_t offset = 0;
    while (offset < email.size()) {
        utf8proc_int32_t code_point = 0;
        const utf8proc_ssize_t length = utf8proc_iterate(
            bytes_of(email.substr(offset)),
            static_cast<utf8proc_ssize_t>(email.size() - offset), &code_point);
        if (length <= 0) {
            return "email is not valid UTF-8";
        }
        if (is_refused_character(code_point)) {
            return "email must not contain spaces or control characters";
        }
        offset += static_cast<std::size_t>(length);
    }
    return std::nullopt;
}

std::optional<std::string> domain_problem(std::string_view domain)
{
    if (domain.empty()) {
        return "email has no domain after the '@'";
    }
    if (domain.front() == '.' || domain.back() == '.') {
        return "email domain must not start or end with a dot";
    }
    if (domain.find("..") != std::string_view::npos) {
        return "email domain must not contain two dots in a row";
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> email_problem(std::string_view email)
{
    if (email.size() < k_min_length || email.size() > k_max_length) {
        return "email must be 3 to 254 bytes long";
    }
    if (std::optional<std::string> problem = character_problem(email)) {
        return problem;
    }

    const std::size_t at = email.find('@');
    if (at == std::string_view::npos ||
        email.find('@', at + 1) != std::string_view::npos) {
        return "email must contain exactly one '@'";
    }
    if (at == 0) {
        return "email has nothing before the '@'";
    }
    if (at > k_max_local_length) {
        return "email must have at most 64 bytes before the '@'";
    }
    return domain_problem(email.substr(at + 1));
}

std::string email_key(std::string_view email)
{
    constexpr auto options =
        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                       UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);

    utf8proc_uint8_t* folded = nullptr;
    const utf8proc_ssize_t length = utf8proc_map(
        bytes_of(email), static_cast<utf8proc_ssize_t>(email.size()), &folded,
        options);
    const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(
        folded, &std::free);
    if (length < 0) {
        throw Error("email is not valid UTF-8", Error::Kind::invalid);
    }
    return std::string(reinterpret_cast<const char*>(folded),
                       static_cast<std::size_t>(length));
}

} // namespace mfo::core
