#include "server/server.hpp"

#include "core/error.hpp"
#include "core/store.hpp"
#include "server/app.hpp"
#include "server/connection.hpp"
#include "server/log.hpp"
#include "server/render.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <httplib.h>
#include <memory>
#include <mutex>
#include <sys/socket.h>
#include <thread>

namespace mfo::server {
namespace {

constexpr auto k_start_timeout = std::chrono::seconds(5);

// The instance's secret: the configured one, else the one `mfo db init`
// generated and kept in the database. Opening the store here also makes
// a missing or uninitialized database fail before the port is bound.
std::string load_secret_key(const core::Config& config)
{
    core::Store store = core::Store::open(config.database_path);
    if (!config.secret_key.empty()) {
        return config.secret_key;
    }
    std::optional<std::string> stored = store.meta("secret_key");
    if (!stored || stored->empty()) {
        throw core::Error(
            "no secret key: set MFO_SECRET_KEY or run 'mfo db init'",
            core::Error::Kind::invalid);
    }
    return *stored;
}

void delete_expired_sessions(const core::Config& config)
{
    core::Store store = core::Store::open(config.database_path);
    const core::Timestamp now = core::now();
    store.delete_expired_sessions(now - config.session_idle_timeout,
                                  now - config.session_lifetime,
                                  now - config.remember_lifetime);
}

void set_socket_options(socket_t socket)
{
    // cpp-httplib 0.11 sets SO_REUSEPORT, which lets a second server bind
    // the same port silently; SO_REUSEADDR alone allows a quick restart
    // over TIME_WAIT connections and still reports a port in use.
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

ConnectionLimits connection_limits(const core::Config& config)
{
    ConnectionLimits limits;
    limits.max_body_bytes =
        static_cast<std::size_t>(std::max(config.max_body_bytes, 0));
    return limits;
}

std::unique_ptr<GuardedServer> make_http_server(const core::Config& config)
{
    auto http = std::make_unique<GuardedServer>(
        connection_limits(config),
        static_cast<std::size_t>(worker_thread_count(config)));
    // Without TCP_NODELAY every keep-alive answer waits ~40 ms for the
    // client's delayed ACK, since headers and body go out separately.
    http->set_tcp_nodelay(true);
    http->set_socket_options(set_socket_options);
    return http;
}

std::string bind_failure(const core::Config& config, int error)
{
    std::string reason = "the address is not available";
    if (error == EADDRINUSE) {
        reason = "the port is already in use";
    } else if (error != 0) {
        reason = std::strerror(error);
    }
    return "cannot listen on " + config.host + ":" +
           std::to_string(config.port) + ": " + reason;
}

int bind_port(httplib::Server& http, const core::Config& config)
{
    // httplib listens with a backlog of 5: when more clients connect at
    // once than the accept thread takes in that moment, the kernel drops
    // their handshakes and they retry after 200 ms or more (wrk's 32
    // connections saw 24 such drops and a 210 ms request). Listening
    // again on the same socket raises the backlog to the system's limit.
    // SO_REUSEADDR lets a restarted server bind while connections of the
    // last one linger in TIME_WAIT, and still refuses a second server on
    // the same port.
    auto listening = std::make_shared<int>(-1);
    http.set_socket_options([listening](socket_t sock) {
        const int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        *listening = sock;
    });
    errno = 0;
    const int port =
        config.port == 0
            ? http.bind_to_any_port(config.host)
            : (http.bind_to_port(config.host, config.port) ? config.port : -1);
    if (port <= 0) {
        throw core::Error(bind_failure(config, errno),
                          core::Error::Kind::unavailable);
    }
    if (*listening >= 0) {
        ::listen(*listening, SOMAXCONN);
    }
    return port;
}

std::string url_host(const std::string& host)
{
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

} // namespace

struct Server::Impl {
    core::Config config;
    std::unique_ptr<App> app;
    // Destroyed before app: its handlers use it.
    std::unique_ptr<GuardedServer> http;
    std::thread listener;
    std::mutex join_mutex;
    int port = 0;

    void start_listener();
    void join();
};

void Server::Impl::start_listener()
{
    listener = std::thread([this] { http->listen_after_bind(); });
    // stop() does nothing until httplib reports running, so wait for it:
    // a stop() right after start() must not be lost.
    const auto deadline = std::chrono::steady_clock::now() + k_start_timeout;
    while (!http->is_running() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void Server::Impl::join()
{
    const std::lock_guard lock(join_mutex);
    if (listener.joinable()) {
        listener.join();
    }
}

Server::Server(core::Config config) : m_impl(std::make_unique<Impl>())
{
    m_impl->config = std::move(config);
}

Server::~Server()
{
    stop();
}

void Server::start()
{
    Impl& impl = *m_impl;
    if (impl.app) {
        throw core::Error("the server is already started");
    }
    const core::Config& config = impl.config;
    std::string secret_key = load_secret_key(config);
    Templates templates = Templates::load(config.templates_dir);
    const int overrides = templates.override_count();
    delete_expired_sessions(config);

    impl.app = std::make_unique<App>(config, std::move(secret_key),
                                     std::move(templates));
    impl.http = make_http_server(config);
    impl.app->install(*impl.http);
    impl.port = bind_port(*impl.http, config);
    impl.start_listener();

    log_line(
        LogLevel::info,
        "listening on http://" + url_host(config.host) + ":" +
            std::to_string(impl.port) + " database=" + config.database_path +
            " templates=" +
            (config.templates_dir.empty() ? "built-in" : config.templates_dir) +
            " overrides=" + std::to_string(overrides) +
            " threads=" + std::to_string(worker_thread_count(config)));
}

int Server::port() const
{
    return m_impl->port;
}

void Server::wait()
{
    m_impl->join();
}

void Server::stop()
{
    // httplib finishes the requests in flight before listen returns.
    if (m_impl->http) {
        m_impl->http->stop();
    }
    m_impl->join();
    flush_log();
}

} // namespace mfo::server
