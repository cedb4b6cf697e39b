#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace mfo::server {

enum class LogLevel { info, warn, error };

// Writes "<UTC time> <level> <message>" as one line to the log sink, which
// is standard error unless replaced. Safe to call from any thread. Info
// lines reach standard error within 100 ms (they are batched), warnings
// and errors at once.
void log_line(LogLevel level, std::string_view message);

// Writes every pending line now (at shutdown).
void flush_log();

// Receives each finished line without its newline. Tests use it to
// capture or silence the log; an empty function restores standard error.
using LogSink = std::function<void(std::string_view line)>;
void set_log_sink(LogSink sink);

// Text that came from a client, made safe for one log line: control
// characters, backslashes and non-ASCII bytes become \xNN, and anything past
// 200 bytes is cut off.
std::string loggable(std::string_view text);

} // namespace mfo::server
