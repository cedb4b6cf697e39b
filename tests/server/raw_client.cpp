#include "tests/server/raw_client.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mfo::test {
namespace {

using Clock = std::chrono::steady_clock;

int milliseconds_until(Clock::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    return static_cast<int>(std::max<long long>(left.count(), 0));
}

std::size_t content_length(const RawResponse& response)
{
    const std::string value = response.header("Content-Length");
    return value.empty() ? 0 : std::stoul(value);
}

} // namespace

std::string RawResponse::header(std::string_view name) const
{
    std::size_t start = head.find("\r\n");
    while (start != std::string::npos && start + 2 < head.size()) {
        const std::size_t end = head.find("\r\n", start + 2);
        const std::string line = head.substr(start + 2, end - start - 2);
        const std::size_t colon = line.find(':');
        if (colon == name.size() &&
            strncasecmp(line.c_str(), name.data(), name.size()) == 0) {
            const std::size_t value = line.find_first_not_of(' ', colon + 1);
            return value == std::string::npos ? "" : line.substr(value);
        }
        start = end;
    }
    return {};
}

RawConnection::RawConnection(int port)
{
    m_socket = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (m_socket < 0 ||
        ::connect(m_socket, reinterpret_cast<sockaddr*>(&address),
                  sizeof address) != 0) {
        throw std::runtime_error("cannot connect to the test server");
    }
}

RawConnection::~RawConnection()
{
    if (m_socket >= 0) {
        ::close(m_socket);
    }
}

bool RawConnection::send(std::string_view bytes)
{
    while (!bytes.empty()) {
        const ssize_t sent =
            ::send(m_socket, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0) {
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

bool RawConnection::fill(Clock::time_point deadline)
{
    if (m_is_closed) {
        return false;
    }
    pollfd entry{m_socket, POLLIN, 0};
    if (::poll(&entry, 1, milliseconds_until(deadline)) <= 0) {
        return false;
    }
    char buffer[16384];
    const ssize_t count = ::recv(m_socket, buffer, sizeof buffer, 0);
    if (count <= 0) {
        m_is_closed = true;
        return false;
    }
    m_pending.append(buffer, static_cast<std::size_t>(count));
    return true;
}

RawResponse RawConnection::receive(std::chrono::milliseconds timeout)
{
    const Clock::time_point deadline = Clock::now() + timeout;
    RawResponse response;
    std::size_t head_end = m_pending.find("\r\n\r\n");
    while (head_end == std::string::npos && fill(deadline)) {
        head_end = m_pending.find("\r\n\r\n");
    }
    if (head_end == std::string::npos) {
        response.is_closed = m_is_closed;
        return response;
    }
    response.head = m_pending.substr(0, head_end + 2);
    m_pending.erase(0, head_end + 4);
    if (response.head.starts_with("HTTP/1.") && response.head.size() > 12) {
        response.status = std::stoi(response.head.substr(9, 3));
    }
    const std::size_t length = content_length(response);
    while (m_pending.size() < length && fill(deadline)) {
    }
    response.body = m_pending.substr(0, length);
    m_pending.erase(0, std::min(length, m_pending.size()));
    response.is_closed = m_is_closed;
    return response;
}

bool RawConnection::is_closed_within(std::chrono::milliseconds timeout)
{
    const Clock::time_point deadline = Clock::now() + timeout;
    while (fill(deadline)) {
        m_pending.clear();
    }
    return m_is_closed;
}

RawResponse raw_exchange(int port, std::string_view bytes,
                         std::chrono::milliseconds timeout)
{
    RawConnection connection(port);
    connection.send(bytes);
    return connection.receive(timeout);
}

std::string raw_get(std::string_view target, std::string_view headers)
{
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
           std::string(headers) + "\r\n";
}

} // namespace mfo::test
