#pragma once

#include <string>
#include <string_view>

namespace mfo::core {

// `text` with every ASCII control character (and DEL) written as \xNN, so
// text from users or files cannot break a one-line message or drive a
// terminal.
std::string escape_controls(std::string_view text);

// escape_controls(text) in single quotes, for naming a value in a message.
std::string in_quotes(std::string_view text);

} // namespace mfo::core
