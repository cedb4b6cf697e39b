#include "server/log.hpp"

#include "core/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace mfo::server {
namespace {

constexpr std::size_t k_max_logged_bytes = 200;
// Pending lines are written at the latest after this long, or as soon as
// this many bytes are waiting.
constexpr auto k_flush_delay = std::chrono::milliseconds(100);
constexpr std::size_t k_flush_bytes = 32768;

// Gathers lines for standard error and writes them from a thread of its
// own: a write and flush per request, under a lock every request thread
// takes, cost more than anything else a cached page did beyond httplib's
// own work. Warnings and errors are written at once, with everything
// before them, so that they are never held back.
// Limitation: if the process is killed (SIGKILL, a crash), info lines of
// the last 100 ms may be lost; warnings and errors are not.
class StderrWriter {
public:
    ~StderrWriter()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_is_stopping = true;
        }
        m_wake.notify_one();
        if (m_thread.joinable()) {
            m_thread.join();
        }
        flush();
    }

    void add(const std::string& line, bool is_urgent)
    {
        std::unique_lock lock(m_mutex);
        m_pending += line;
        m_pending += '\n';
        if (is_urgent) {
            write_pending(lock);
            return;
        }
        if (!m_thread.joinable() && !m_is_stopping) {
            m_thread = std::thread([this] { run(); });
        }
        if (m_pending.size() >= k_flush_bytes ||
            m_pending.size() == line.size() + 1) {
            m_wake.notify_one();
        }
    }

    void flush()
    {
        std::unique_lock lock(m_mutex);
        write_pending(lock);
    }

private:
    // Writes under the lock: lines keep their order, and the writes are
    // rare (one per flush, or per warning).
    void write_pending(std::unique_lock<std::mutex>&)
    {
        if (!m_pending.empty()) {
            std::fwrite(m_pending.data(), 1, m_pending.size(), stderr);
            std::fflush(stderr);
            m_pending.clear();
        }
    }

    void run()
    {
        std::unique_lock lock(m_mutex);
        while (!m_is_stopping) {
            m_wake.wait(lock,
                        [this] { return m_is_stopping || !m_pending.empty(); });
            m_wake.wait_for(lock, k_flush_delay, [this] {
                return m_is_stopping || m_pending.size() >= k_flush_bytes;
            });
            write_pending(lock);
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::string m_pending;
    bool m_is_stopping = false;
    std::thread m_thread; // started by the first line
};

std::mutex g_sink_mutex;
LogSink g_sink;
StderrWriter g_stderr;

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

// The line's time stamp; formatted once a second per thread, since the
// access log asks for it on every request.
const std::string& time_stamp()
{
    thread_local core::Timestamp t_second = -1;
    thread_local std::string t_text;
    const core::Timestamp second = core::now();
    if (second != t_second) {
        t_text = core::format_time(second);
        t_second = second;
    }
    return t_text;
}

} // namespace

void log_line(LogLevel level, std::string_view message)
{
    std::string line;
    line.reserve(time_stamp().size() + message.size() + 8);
    line += time_stamp();
    line += ' ';
    line += level_name(level);
    line += ' ';
    line += message;
    {
        const std::lock_guard lock(g_sink_mutex);
        if (g_sink) {
            g_sink(line);
            return;
        }
    }
    g_stderr.add(line, level != LogLevel::info);
}

void flush_log()
{
    g_stderr.flush();
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
