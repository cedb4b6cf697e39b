#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <httplib.h>
#include <mutex>
#include <thread>
#include <vector>

namespace mfo::server {

// Limits on each connection that cpp-httplib 0.11 does not enforce: its
// read timeout restarts with every recv and its workers are a fixed pool,
// so without these a client sending one byte a second, or a handful of
// idle keep-alive clients, holds worker threads for as long as it likes.
struct ConnectionLimits {
    // From the first byte of a request to its last (line, headers, body).
    std::chrono::milliseconds request_deadline{10000};
    // While other connections wait for a thread, a request still arriving
    // after this long is cut off, and an idle keep-alive connection is
    // closed at once.
    std::chrono::milliseconds crowded_request_deadline{2000};
    // Silence allowed in the middle of a request.
    std::chrono::milliseconds read_timeout{5000};
    // Time to write one response to a client that does not read it.
    std::chrono::milliseconds write_timeout{5000};
    // Wait for the next request on an open connection, and for the first.
    std::chrono::milliseconds keep_alive{2000};
    std::size_t keep_alive_max_requests = 100;
    // Request line plus headers; more is refused with 414 or 431.
    std::size_t max_header_bytes = 16384;
    // Bytes of body read at most; httplib answers 413 before reading a
    // larger Content-Length, this bounds whatever else comes.
    std::size_t max_body_bytes = 65536;
};

// A pool of at most `threads` threads running connections, started as
// connections arrive; it also tells how many accepted connections are
// still waiting for a thread.
class ConnectionQueue : public httplib::TaskQueue {
public:
    explicit ConnectionQueue(std::size_t threads);
    ~ConnectionQueue() override;

    void enqueue(std::function<void()> task) override;
    void shutdown() override;
    std::size_t waiting() const { return m_waiting.load(); }
    // Threads started so far.
    std::size_t thread_count();

private:
    void run();

    std::size_t m_max_threads;
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::function<void()>> m_tasks;
    std::atomic<std::size_t> m_waiting{0};
    std::size_t m_idle_threads = 0;
    bool m_is_shut_down = false;
    std::vector<std::thread> m_threads;
};

class GuardedStream;

// An httplib::Server that reads requests through a stream of its own:
// deadlines per request, a byte cap per request, strict CRLF framing
// (bare LF, bare CR and control bytes in the head are refused with 400)
// and keep-alive waits that give way when other connections queue.
class GuardedServer : public httplib::Server {
public:
    GuardedServer(ConnectionLimits limits, std::size_t threads);

    const ConnectionLimits& limits() const { return m_limits; }
    // Connections accepted but not yet given a thread.
    std::size_t waiting_connections() const;

private:
    bool process_and_close_socket(socket_t socket) override;
    bool is_crowded() const;
    bool wait_for_request(GuardedStream& stream) const;

    ConnectionLimits m_limits;
    std::atomic<ConnectionQueue*> m_queue{nullptr};
};

// Closes the current request's connection once its response is sent. A
// request refused before its body was read must use it: the unread body
// would otherwise be parsed as the next request.
void close_connection_after_response();

} // namespace mfo::server
