#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace mfo::test {

// One HTTP response as read off the wire; status 0 when none came.
struct RawResponse {
    int status = 0;
    std::string head; // status line and headers
    std::string body;
    bool is_closed = false; // the server closed the connection after it

    // The first header called `name` (case-insensitive), or "".
    std::string header(std::string_view name) const;
};

// A client socket to 127.0.0.1 that sends whatever bytes it is given, for
// requests no well-behaved client library would send.
class RawConnection {
public:
    explicit RawConnection(int port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // False once the server has closed or reset the connection.
    bool send(std::string_view bytes);
    // Reads one response (head, then Content-Length bytes of body),
    // waiting at most `timeout` in all.
    RawResponse
    receive(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Whether the server closes the connection within `timeout`; data it
    // sends meanwhile is dropped.
    bool is_closed_within(std::chrono::milliseconds timeout);

private:
    // Appends what arrives within `timeout`; false on close or timeout.
    bool fill(std::chrono::steady_clock::time_point deadline);

    int m_socket = -1;
    std::string m_pending;
    bool m_is_closed = false;
};

// Connects, sends `bytes` and reads one response.
RawResponse
raw_exchange(int port, std::string_view bytes,
             std::chrono::milliseconds timeout = std::chrono::seconds(5));

// "GET <target> HTTP/1.1" with a Host header and `headers` (each ending in
// CRLF) and a blank line.
std::string raw_get(std::string_view target, std::string_view headers = {});

} // namespace mfo::test
