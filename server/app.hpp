#pragma once

#include "core/config.hpp"
#include "server/render.hpp"

#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace mfo::server {

struct AppState;

// The web application: routes, error pages, security headers and the
// access log, installed on an httplib::Server.
class App {
public:
    // `secret_key` signs the anonymous CSRF tokens; never empty.
    App(const core::Config& config, std::string secret_key,
        Templates templates);
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    void install(httplib::Server& http);

private:
    void install_routes(httplib::Server& http);
    void install_hooks(httplib::Server& http);

    std::unique_ptr<AppState> m_state;
};

// The worker thread count: config.threads, or max(8, 4 x cores) because
// each keep-alive connection holds one thread while it stays open.
int worker_thread_count(const core::Config& config);

} // namespace mfo::server
