#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mfo::core {

// Why an email was refused, or nothing when it is acceptable: length at most
// 254 bytes, valid UTF-8, exactly one '@' with text on both sides, a dot-free
// or dotted domain without empty labels, no spaces or control characters.
std::optional<std::string> email_problem(std::string_view email);

// The key that makes emails unique without regard to case: NFKC with Unicode
// case folding. Only call on an email that passed email_problem().
std::string email_key(std::string_view email);

} // namespace mfo::core
