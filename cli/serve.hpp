#pragma once

// mfo serve. The web server is linked into a program of its own,
// mfo-serve, with the same commands; `mfo serve` replaces itself with it
// (same arguments, same process). The administrator's commands then start
// without loading cpp-httplib and the TLS and compression libraries it
// brings, which took 3 of every command's 7 ms.

#include "cli/context.hpp"
#include "core/config.hpp"

#include <optional>
#include <string>

namespace mfo::cli {

struct ServeArgs {
    std::optional<std::string> host;
    std::optional<std::string> port;
    std::optional<std::string> threads;
};

// The configuration with serve's flags on top. A bad flag or config value
// is a UsageError (exit 2), found before the database is touched.
core::Config load_serve_config(Context& context, const ServeArgs& args);

// In mfo-serve: serves until SIGINT or SIGTERM (serve_run.cpp). In mfo:
// executes mfo-serve with this process's arguments (serve_exec.cpp).
int run_serve(Context& context, const ServeArgs& args);

} // namespace mfo::cli
