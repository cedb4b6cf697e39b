#include "server/connection.hpp"

#include "server/log.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <optional>
#include <poll.h>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace mfo::server {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Waits are cut into slices so that a stop, a deadline or a crowd of
// waiting connections is noticed within one slice.
constexpr milliseconds k_wait_slice{50};
// After a refusal the rest of the request is read and dropped for this
// long, so that closing with unread input (which sends a reset) does not
// destroy the refusal before the client has read it.
constexpr milliseconds k_linger{500};
constexpr std::size_t k_linger_max_bytes = 256 * 1024;
// Output is gathered up to this size before it is sent.
constexpr std::size_t k_output_bytes = 16384;

thread_local bool t_close_after_response = false;

// 1 readable (or closed), 0 timed out, -1 failed.
int poll_socket(int socket, short events, milliseconds timeout)
{
    pollfd entry{socket, events, 0};
    const int count = ::poll(&entry, 1, static_cast<int>(timeout.count()));
    if (count < 0) {
        return errno == EINTR ? 0 : -1;
    }
    return count;
}

milliseconds remaining(Clock::time_point deadline)
{
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    return std::max(left, milliseconds(0));
}

void socket_address(int socket, bool is_peer, std::string& ip, int& port)
{
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    const int result = is_peer ? ::getpeername(socket, generic, &length)
                               : ::getsockname(socket, generic, &length);
    if (result != 0) {
        return;
    }
    std::array<char, NI_MAXHOST> host{};
    std::array<char, NI_MAXSERV> service{};
    if (::getnameinfo(generic, length, host.data(), host.size(), service.data(),
                      service.size(), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
        ip = host.data();
        port = std::atoi(service.data());
    }
}

std::string_view reason_phrase(int status)
{
    switch (status) {
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Bad Request";
    }
}

// A refusal written by the stream itself, before httplib has a request
// to hand to the application's error page.
std::string canned_response(int status)
{
    const std::string body = std::string(reason_phrase(status)) + "\n";
    return "HTTP/1.1 " + std::to_string(status) + " " +
           std::string(reason_phrase(status)) +
           "\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "Content-Length: " +
           std::to_string(body.size()) +
           "\r\nConnection: close\r\n"
           "X-Content-Type-Options: nosniff\r\n\r\n" +
           body;
}

bool is_forbidden_head_byte(unsigned char byte)
{
    return (byte < 0x20 && byte != '\t' && byte != '\r' && byte != '\n') ||
           byte == 0x7f;
}

} // namespace

// httplib's Stream over one connection, kept for all its requests, so
// bytes a client sent ahead (pipelining) are not lost between requests.
class GuardedStream : public httplib::Stream {
public:
    GuardedStream(int socket, const ConnectionLimits& limits,
                  std::function<bool()> is_crowded);

    void begin_request();
    // Sends what write() gathered; false when the client cannot take it.
    bool flush();
    bool has_buffered() const { return m_offset < m_size; }
    bool is_failed() const { return m_is_failed; }
    bool was_refused() const { return m_was_refused; }
    int native() const { return m_socket; }
    const std::string& peer() const { return m_peer; }

    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char* out, size_t size) override;
    ssize_t write(const char* data, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return m_socket; }

private:
    bool wait_readable() const;
    ssize_t receive();
    bool send_all(const char* data, std::size_t size);
    bool check_head(const char* data, std::size_t size);
    void refuse(int status, std::string_view reason);
    void fail(std::string_view reason);

    int m_socket;
    const ConnectionLimits& m_limits;
    std::function<bool()> m_is_crowded;
    std::string m_peer;
    int m_peer_port = 0;
    mutable std::string m_local_ip;
    mutable std::optional<int> m_local_port;
    std::array<char, 4096> m_buffer{};
    std::size_t m_offset = 0;
    std::size_t m_size = 0;
    // httplib writes a response's head and body separately; sent as they
    // come, each would be a packet of its own and a wake-up for the client.
    std::string m_output;
    bool m_is_failed = false;
    bool m_was_refused = false;

    // The request being read.
    Clock::time_point m_request_start;
    mutable Clock::time_point m_last_byte;
    std::optional<Clock::time_point> m_write_deadline;
    std::size_t m_request_bytes = 0;
    bool m_is_in_head = true;
    std::size_t m_line_count = 0;
    std::size_t m_line_length = 0;
    char m_previous = 0;
};

GuardedStream::GuardedStream(int socket, const ConnectionLimits& limits,
                             std::function<bool()> is_crowded)
    : m_socket(socket), m_limits(limits), m_is_crowded(std::move(is_crowded))
{
    socket_address(m_socket, true, m_peer, m_peer_port);
}

void GuardedStream::begin_request()
{
    m_request_start = Clock::now();
    m_last_byte = m_request_start;
    m_write_deadline.reset();
    m_request_bytes = 0;
    m_is_in_head = true;
    m_line_count = 0;
    m_line_length = 0;
    m_previous = 0;
}

bool GuardedStream::wait_readable() const
{
    const Clock::time_point hard = m_request_start + m_limits.request_deadline;
    const Clock::time_point crowded =
        m_request_start + m_limits.crowded_request_deadline;
    for (;;) {
        const Clock::time_point now = Clock::now();
        if (now >= hard || now - m_last_byte >= m_limits.read_timeout ||
            (now >= crowded && m_is_crowded())) {
            return false;
        }
        const int ready = poll_socket(m_socket, POLLIN,
                                      std::min(k_wait_slice, remaining(hard)));
        if (ready != 0) {
            m_last_byte = Clock::now();
            return ready > 0;
        }
    }
}

bool GuardedStream::is_readable() const
{
    return !m_is_failed && (has_buffered() || wait_readable());
}

bool GuardedStream::is_writable() const
{
    return !m_is_failed &&
           poll_socket(m_socket, POLLOUT, m_limits.write_timeout) > 0;
}

ssize_t GuardedStream::read(char* out, size_t size)
{
    if (m_is_failed) {
        return -1;
    }
    if (!has_buffered()) {
        const ssize_t received = receive();
        if (received <= 0) {
            return received;
        }
        m_offset = 0;
        m_size = static_cast<std::size_t>(received);
    }
    const std::size_t count = std::min(size, m_size - m_offset);
    const char* data = m_buffer.data() + m_offset;
    m_request_bytes += count;
    if (m_request_bytes > m_limits.max_header_bytes + m_limits.max_body_bytes) {
        fail("request too large");
        return -1;
    }
    if (m_is_in_head && !check_head(data, count)) {
        return -1;
    }
    std::memcpy(out, data, count);
    m_offset += count;
    return static_cast<ssize_t>(count);
}

// Reads what has arrived, waiting (within the deadlines) only when nothing
// has: most requests are already there when the reading starts.
ssize_t GuardedStream::receive()
{
    // A client waiting for "100 Continue" sends its body only after it.
    if (!flush()) {
        return -1;
    }
    ssize_t received =
        ::recv(m_socket, m_buffer.data(), m_buffer.size(), MSG_DONTWAIT);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait_readable()) {
            fail("request too slow");
            return -1;
        }
        received = ::recv(m_socket, m_buffer.data(), m_buffer.size(), 0);
    }
    if (received <= 0) {
        m_is_failed = true;
    }
    return received;
}

// Refuses what httplib 0.11 would let through or silently skip in the
// request line and headers: a bare LF (httplib drops such header lines,
// which a proxy may read differently), a bare CR, NUL and other control
// bytes, and a head larger than max_header_bytes (httplib buffers a
// request line of any length).
bool GuardedStream::check_head(const char* data, std::size_t size)
{
    for (std::size_t i = 0; i < size && m_is_in_head; ++i) {
        const char c = data[i];
        const auto byte = static_cast<unsigned char>(c);
        if (m_request_bytes - size + i + 1 > m_limits.max_header_bytes) {
            refuse(m_line_count == 0 ? 414 : 431, "request head too large");
        } else if (c == '\n' && m_previous != '\r') {
            refuse(400, "bare LF in request head");
        } else if (c != '\n' && m_previous == '\r') {
            refuse(400, "bare CR in request head");
        } else if (is_forbidden_head_byte(byte)) {
            refuse(400, "control byte in request head");
        } else if (c == '\n') {
            m_is_in_head = !(m_line_length == 0 && m_line_count > 0);
            ++m_line_count;
            m_line_length = 0;
        } else if (c != '\r') {
            ++m_line_length;
        }
        if (m_is_failed) {
            return false;
        }
        m_previous = c;
    }
    return true;
}

void GuardedStream::refuse(int status, std::string_view reason)
{
    const std::string response = canned_response(status);
    // Best effort: the socket buffer of a fresh connection takes it whole.
    [[maybe_unused]] const ssize_t sent =
        ::send(m_socket, response.data(), response.size(),
               MSG_NOSIGNAL | MSG_DONTWAIT);
    m_was_refused = true;
    log_line(LogLevel::warn,
             "request refused status=" + std::to_string(status) + " reason=" +
                 std::string(reason) + " address=" + loggable(m_peer));
    m_is_failed = true;
}

void GuardedStream::fail(std::string_view reason)
{
    log_line(LogLevel::warn,
             "connection dropped reason=" + std::string(reason) +
                 " address=" + loggable(m_peer));
    m_is_failed = true;
}

ssize_t GuardedStream::write(const char* data, size_t size)
{
    if (m_is_failed) {
        return -1;
    }
    if (!m_write_deadline) {
        m_write_deadline = Clock::now() + m_limits.write_timeout;
    }
    if (m_output.size() + size <= k_output_bytes) {
        m_output.append(data, size);
        return static_cast<ssize_t>(size);
    }
    // Too large to gather: what is waiting goes first, then this.
    if (!flush() || !send_all(data, size)) {
        return -1;
    }
    return static_cast<ssize_t>(size);
}

bool GuardedStream::flush()
{
    const bool is_sent = send_all(m_output.data(), m_output.size());
    m_output.clear();
    return is_sent;
}

bool GuardedStream::send_all(const char* data, std::size_t size)
{
    std::size_t sent_bytes = 0;
    while (!m_is_failed && sent_bytes < size) {
        const ssize_t sent =
            ::send(m_socket, data + sent_bytes, size - sent_bytes,
                   MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent >= 0) {
            sent_bytes += static_cast<std::size_t>(sent);
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        // A client that stops reading gets write_timeout from the
        // response's first byte, then the connection is dropped.
        const milliseconds left = m_write_deadline
                                      ? remaining(*m_write_deadline)
                                      : m_limits.write_timeout;
        if ((errno != EAGAIN && errno != EWOULDBLOCK) || left.count() == 0 ||
            poll_socket(m_socket, POLLOUT, left) < 0) {
            m_is_failed = true;
        }
    }
    return !m_is_failed;
}

void GuardedStream::get_remote_ip_and_port(std::string& ip, int& port) const
{
    ip = m_peer;
    port = m_peer_port;
}

void GuardedStream::get_local_ip_and_port(std::string& ip, int& port) const
{
    // httplib asks on every request; the answer is the connection's.
    if (!m_local_port) {
        std::string local_ip;
        int local_port = 0;
        socket_address(m_socket, false, local_ip, local_port);
        m_local_ip = std::move(local_ip);
        m_local_port = local_port;
    }
    ip = m_local_ip;
    port = *m_local_port;
}

ConnectionQueue::ConnectionQueue(std::size_t threads)
    : m_max_threads(std::max<std::size_t>(threads, 1))
{
}

ConnectionQueue::~ConnectionQueue()
{
    shutdown();
}

// Limitation: the queue of accepted connections is unbounded and nothing
// caps connections per address; a flood of connections is left to the
// reverse proxy (limit_conn, see docs/SECURITY.md).
void ConnectionQueue::enqueue(std::function<void()> task)
{
    {
        const std::lock_guard lock(m_mutex);
        m_tasks.push_back(std::move(task));
        ++m_waiting;
        // Threads start as connections need them, up to the limit: an
        // idle server keeps none, and each costs stack and buffers.
        if (!m_is_shut_down && m_idle_threads < m_tasks.size() &&
            m_threads.size() < m_max_threads) {
            m_threads.emplace_back([this] { run(); });
        }
    }
    m_ready.notify_one();
}

std::size_t ConnectionQueue::thread_count()
{
    const std::lock_guard lock(m_mutex);
    return m_threads.size();
}

void ConnectionQueue::shutdown()
{
    std::vector<std::thread> threads;
    {
        const std::lock_guard lock(m_mutex);
        m_is_shut_down = true;
        threads.swap(m_threads);
    }
    m_ready.notify_all();
    for (std::thread& thread : threads) {
        if (thread.joinable()) {
            thread.join();
        }
    }
}

void ConnectionQueue::run()
{
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_mutex);
            ++m_idle_threads;
            m_ready.wait(lock,
                         [this] { return m_is_shut_down || !m_tasks.empty(); });
            --m_idle_threads;
            if (m_tasks.empty()) {
                return;
            }
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
            --m_waiting;
        }
        task();
    }
}

GuardedServer::GuardedServer(ConnectionLimits limits, std::size_t threads)
    : m_limits(limits)
{
    new_task_queue = [this, threads] {
        auto* queue = new ConnectionQueue(threads);
        m_queue.store(queue);
        return queue;
    };
    // httplib still uses these for its Keep-Alive header and its 413.
    const auto keep_alive =
        std::chrono::ceil<std::chrono::seconds>(limits.keep_alive);
    set_keep_alive_timeout(static_cast<time_t>(keep_alive.count()));
    set_keep_alive_max_count(limits.keep_alive_max_requests);
    set_payload_max_length(limits.max_body_bytes);
}

std::size_t GuardedServer::waiting_connections() const
{
    const ConnectionQueue* queue = m_queue.load();
    return queue ? queue->waiting() : 0;
}

bool GuardedServer::is_crowded() const
{
    return waiting_connections() > 0;
}

// Waits for the first byte of the next request. An idle connection gives
// its thread up when the keep-alive time is over, when the server stops,
// or at once when other connections are waiting for a thread.
bool GuardedServer::wait_for_request(GuardedStream& stream) const
{
    if (stream.has_buffered()) {
        return true;
    }
    const Clock::time_point deadline = Clock::now() + m_limits.keep_alive;
    while (svr_sock_ != INVALID_SOCKET) {
        const int ready =
            poll_socket(stream.native(), POLLIN,
                        std::min(k_wait_slice, remaining(deadline)));
        if (ready != 0) {
            return ready > 0;
        }
        if (Clock::now() >= deadline || is_crowded()) {
            return false;
        }
    }
    return false;
}

namespace {

// Half-closes, then reads and drops what the client still sends for a
// moment, so that the response is not lost to a reset.
void linger_close(int socket)
{
    ::shutdown(socket, SHUT_WR);
    std::array<char, 4096> sink{};
    std::size_t dropped = 0;
    const Clock::time_point deadline = Clock::now() + k_linger;
    while (dropped < k_linger_max_bytes &&
           poll_socket(socket, POLLIN, remaining(deadline)) > 0) {
        const ssize_t count = ::recv(socket, sink.data(), sink.size(), 0);
        if (count <= 0) {
            break;
        }
        dropped += static_cast<std::size_t>(count);
    }
}

} // namespace

// Limitation: a client that keeps each request just under the deadlines
// can hold one thread for up to keep_alive_max_requests requests; only a
// proxy's byte-rate limits stop that (see docs/SECURITY.md).
bool GuardedServer::process_and_close_socket(socket_t socket)
{
    bool is_ok = false;
    bool must_linger = false;
    try {
        GuardedStream stream(socket, m_limits, [this] { return is_crowded(); });
        for (std::size_t left = m_limits.keep_alive_max_requests; left > 0;
             --left) {
            if (!wait_for_request(stream)) {
                break;
            }
            stream.begin_request();
            t_close_after_response = false;
            bool is_closed_by_client = false;
            is_ok = process_request(stream, left == 1, is_closed_by_client,
                                    nullptr);
            is_ok = stream.flush() && is_ok;
            must_linger = stream.was_refused() || t_close_after_response;
            if (!is_ok || is_closed_by_client || must_linger ||
                stream.is_failed()) {
                break;
            }
        }
    } catch (const std::exception& error) {
        log_line(LogLevel::error,
                 "connection failed: " + loggable(error.what()));
    }
    if (must_linger) {
        linger_close(socket);
    }
    ::shutdown(socket, SHUT_RDWR);
    ::close(socket);
    return is_ok;
}

void close_connection_after_response()
{
    t_close_after_response = true;
}

} // namespace mfo::server
