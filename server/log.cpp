#include "server/log.hpp"

#include "core/store.hpp"

#include <cstdio>
#include <mutex>

namespace mfo::server {
namespace {

constexpr std::size_t k_max_logged_bytes = 200;

std::mutex g_sink_mutex;
LogSink g_sink;

std::string_view level_name(LogLevel level)
{
    switch (level) {
    case LogLevel::info:
        return "info";
    case LogLevel::warn:
        return "warn";
    case LogLevel::error:
        return "error";
    }
    return "info";
}

} // namespace

void log_line(LogLevel level, std::string_view message)
{
    std::string line = core::format_time(core::now());
    line += ' ';
    line += level_name(level);
    line += ' ';
    line += message;

    const std::lock_guard lock(g_sink_mutex);
    if (g_sink) {
        g_sink(line);
        return;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

void set_log_sink(LogSink sink)
{
    const std::lock_guard lock(g_sink_mutex);
    g_sink = std::move(sink);
}

std::string loggable(std::string_view text)
{
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (const char c : text.substr(0, k_max_logged_bytes)) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f || c == '\\') {
            out += "\\x";
            out += k_hex[byte >> 4];
            out += k_hex[byte & 0x0f];
        } else {
            out += c;
        }
    }
    if (text.size() > k_max_logged_bytes) {
        out += "...";
    }
    return out;
}

} // namespace mfo::server
