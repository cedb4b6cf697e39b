// mfo: the administrator's command-line tool and the web server's launcher.
// This is the only place that turns errors into messages and exit codes.

#include "cli/context.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/error.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

namespace {

using namespace mfo::cli;

void print_error(const std::string& message)
{
    const char* prefix =
        use_colour() ? "mfo: \x1b[1;31merror:\x1b[0m " : "mfo: error: ";
    std::cerr << prefix << printable(message) << '\n';
}

void add_global_options(CLI::App& app, Context& context)
{
    app.set_version_flag("--version",
                         "mfo " MFO_VERSION " (commit " MFO_COMMIT ")");
    app.add_option("--db", context.database,
                   "SQLite database file (config key: database)")
        ->type_name("FILE");
    app.add_option("--config", context.config_file,
                   "Config file to read (default: ./mfo.conf if present)")
        ->type_name("FILE");
    app.add_option("--env-file", context.env_file,
                   "Dotenv file to read (default: ./.env if present)")
        ->type_name("FILE");
    app.add_flag("-q,--quiet", context.is_quiet,
                 "Print only errors and requested data");
}

// CLI11 echoes unexpected arguments, and one of them may be a password
// someone tried to pass as `--password secret`. Name only the options.
std::string describe_extras(const CLI::ExtrasError& error)
{
    const std::string message = error.what();
    std::istringstream words(message.substr(message.find(": ") + 2));
    std::string options;
    int values = 0;
    for (std::string word; words >> word;) {
        if (word.size() > 1 && word[0] == '-') {
            options = word + (options.empty() ? "" : " ") + options;
        } else {
            ++values;
        }
    }
    std::string text = options.empty() ? "unexpected argument"
                                       : "unexpected option " + options;
    if (values > 0 && !options.empty()) {
        text += " (and " + std::to_string(values) + " more argument" +
                (values > 1 ? "s)" : ")");
    } else if (values > 1) {
        text += "s (" + std::to_string(values) + ")";
    }
    return text + "; see --help";
}

int run(CLI::App& app, Context& context, int argc, char** argv)
{
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            return app.exit(e); // --help, --version
        }
        const auto* extras = dynamic_cast<const CLI::ExtrasError*>(&e);
        print_error(extras ? describe_extras(*extras) : e.what());
        return k_exit_usage;
    }
    return context.action();
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"mfo: users, roles and a login-protected web app for the "
                 "music festival organizer"};
    app.name("mfo");
    // Global options may follow the subcommand: `mfo user list --db x.db`.
    app.fallthrough();
    app.require_subcommand(1);
    Context context;
    context.argv = argv;
    add_global_options(app, context);
    add_db_commands(app, context);
    add_user_commands(app, context);
    add_role_commands(app, context);
    add_config_commands(app, context);
    add_serve_command(app, context);

    try {
        return run(app, context, argc, argv);
    } catch (const UsageError& e) {
        print_error(e.what());
        return k_exit_usage;
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_failure;
    }
}
