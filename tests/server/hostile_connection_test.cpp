#include "server/connection.hpp"
#include "tests/server/raw_client.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace mfo;
using namespace std::chrono_literals;
using mfo::server::ConnectionLimits;
using mfo::server::GuardedServer;
using mfo::test::raw_get;
using mfo::test::RawConnection;

namespace {

using Clock = std::chrono::steady_clock;

// A GuardedServer with one route on a free port, stopped on destruction.
struct HelloServer {
    explicit HelloServer(ConnectionLimits limits, std::size_t threads = 2)
        : http(limits, threads)
    {
        http.Get("/", [](const httplib::Request&, httplib::Response& response) {
            response.set_content("hello", "text/plain");
        });
        // Larger than the stream gathers before sending.
        http.Get("/large",
                 [](const httplib::Request&, httplib::Response& response) {
                     std::string body;
                     for (int i = 0; body.size() < 100000; ++i) {
                         body += std::to_string(i) + "\n";
                     }
                     response.set_content(body, "text/plain");
                 });
        port = http.bind_to_any_port("127.0.0.1");
        listener = std::thread([this] { http.listen_after_bind(); });
        while (!http.is_running()) {
            std::this_thread::sleep_for(1ms);
        }
    }
    ~HelloServer()
    {
        http.stop();
        listener.join();
    }

    GuardedServer http;
    int port = 0;
    std::thread listener;
};

} // namespace

TEST_CASE("guarded server cuts off a request that outlives its deadline",
          "[server][hostile]")
{
    ConnectionLimits limits;
    limits.request_deadline = 1s;
    HelloServer server(limits);
    RawConnection dripper(server.port);
    dripper.send("GET / HTTP/1.1\r\n");
    const Clock::time_point start = Clock::now();
    bool is_open = true;
    while (is_open && Clock::now() - start < 4s) {
        is_open = dripper.send("X");
        is_open = is_open && !dripper.is_closed_within(300ms);
    }
    CHECK_FALSE(is_open);
    CHECK(Clock::now() - start < 2s);
}

TEST_CASE("guarded server answers pipelined requests in order",
          "[server][hostile]")
{
    HelloServer server(ConnectionLimits{});
    RawConnection connection(server.port);
    connection.send(raw_get("/") + raw_get("/missing") + raw_get("/"));
    CHECK(connection.receive().status == 200);
    CHECK(connection.receive().status == 404);
    CHECK(connection.receive().status == 200);
}

TEST_CASE("guarded server sends small and large answers whole, in order",
          "[server]")
{
    HelloServer server(ConnectionLimits{});
    std::string expected;
    for (int i = 0; expected.size() < 100000; ++i) {
        expected += std::to_string(i) + "\n";
    }
    RawConnection connection(server.port);
    connection.send(raw_get("/") + raw_get("/large") + raw_get("/"));
    const auto small = connection.receive();
    const auto large = connection.receive();
    const auto last = connection.receive();
    CHECK(small.body == "hello");
    CHECK(large.status == 200);
    CHECK(large.body == expected);
    CHECK(last.body == "hello");
}

TEST_CASE("guarded server closes an idle connection after keep-alive time",
          "[server][hostile]")
{
    ConnectionLimits limits;
    limits.keep_alive = 300ms;
    HelloServer server(limits);
    RawConnection connection(server.port);
    connection.send(raw_get("/"));
    REQUIRE(connection.receive().status == 200);
    CHECK(connection.is_closed_within(1s));
}
