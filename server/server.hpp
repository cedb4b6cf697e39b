#pragma once

#include "core/config.hpp"

#include <memory>

namespace mfo::server {

// The web application on one port. start() returns once the socket is
// bound; stop() finishes in-flight requests. Used in-process by tests.
class Server {
public:
    explicit Server(core::Config config);
    ~Server();

    // Binds config.host:config.port (port 0 picks a free one). Throws
    // core::Error with a one-line reason: missing database, no secret key,
    // port in use.
    void start();
    int port() const;
    // Blocks until stop() is called from another thread or a signal handler.
    void wait();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace mfo::server
