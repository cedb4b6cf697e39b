// mfo serve: its options. The server itself runs in mfo-serve (see
// serve.hpp).

#include "cli/serve.hpp"

#include <CLI/CLI.hpp>
#include <memory>

namespace mfo::cli {

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
                     "Connection threads; each open connection holds one "
                     "(config key: threads)")
        ->type_name("N");
    serve->callback([&context, args] {
        context.action = [&context, args] { return run_serve(context, *args); };
    });
}

} // namespace mfo::cli
