// mfo serve, inside mfo-serve: runs the web app in the foreground until
// SIGINT or SIGTERM.

#include "cli/exit_codes.hpp"
#include "cli/serve.hpp"
#include "core/config.hpp"
#include "server/log.hpp"
#include "server/server.hpp"

#include <atomic>
#include <csignal>
#include <pthread.h>
#include <thread>

namespace mfo::cli {
namespace {

sigset_t stop_signals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    return signals;
}

// Serves until SIGINT or SIGTERM, then lets the requests in flight finish.
void run_until_signal(server::Server& server, const sigset_t& signals)
{
    std::atomic<bool> is_signalled{false};
    std::thread watcher([&] {
        int signal_number = 0;
        sigwait(&signals, &signal_number);
        is_signalled = true;
        server::log_line(server::LogLevel::info,
                         signal_number == SIGINT
                             ? "stopping on SIGINT: finishing requests"
                             : "stopping on SIGTERM: finishing requests");
        server.stop();
    });
    server.wait();
    if (!is_signalled) {
        // The server ended by itself; wake the watcher so it can exit.
        pthread_kill(watcher.native_handle(), SIGTERM);
    }
    watcher.join();
}

} // namespace

int run_serve(Context& context, const ServeArgs& args)
{
    const core::Config config = load_serve_config(context, args);

    // Blocked before any server thread exists, so every thread inherits
    // the mask and only the watcher below ever receives these signals;
    // stop() is then called from a normal thread, not a signal handler.
    const sigset_t signals = stop_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    server::Server server(config);
    server.start();

    run_until_signal(server, signals);
    server::log_line(server::LogLevel::info, "stopped");
    server::flush_log();
    return k_exit_ok;
}

} // namespace mfo::cli
