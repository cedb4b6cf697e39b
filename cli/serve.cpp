// mfo serve: runs the web app in the foreground until SIGINT or SIGTERM.

#include "cli/context.hpp"
#include "cli/exit_codes.hpp"
#include "core/config.hpp"
#include "server/log.hpp"
#include "server/server.hpp"

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <memory>
#include <optional>
#include <pthread.h>
#include <thread>

namespace mfo::cli {
namespace {

struct ServeArgs {
    std::optional<std::string> host;
    std::optional<std::string> port;
    std::optional<std::string> threads;
};

sigset_t stop_signals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    return signals;
}

// A bad flag or config value is a usage error (exit 2), found before the
// database is touched.
core::Config load_serve_config(Context& context, const ServeArgs& args)
{
    const std::pair<const char*, const std::optional<std::string>*> flags[] = {
        {"host", &args.host}, {"port", &args.port}, {"threads", &args.threads}};
    for (const auto& [key, value] : flags) {
        if (*value) {
            context.flags.emplace_back(key, **value);
        }
    }
    try {
        return context.config();
    } catch (const core::ConfigError& error) {
        throw UsageError(error.what());
    }
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
    return k_exit_ok;
}

} // namespace

void add_serve_command(CLI::App& app, Context& context)
{
    CLI::App* serve = app.add_subcommand(
        "serve", "Run the web app (home, login, account, admin pages)");
    auto args = std::make_shared<ServeArgs>();
    serve
        ->add_option("--host", args->host,
                     "Address to listen on (config key: host)")
        ->type_name("HOST");
    serve
        ->add_option("--port", args->port,
                     "Port to listen on, 0 for any free one (config key: "
                     "port)")
        ->type_name("N");
    serve
        ->add_option("--threads", args->threads,
                     "Worker threads; each open connection holds one "
                     "(config key: threads)")
        ->type_name("N");
    serve->callback([&context, args] {
        context.action = [&context, args] { return run_serve(context, *args); };
    });
}

} // namespace mfo::cli
