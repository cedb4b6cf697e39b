// mfo db init | status

#include "cli/context.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/crypto.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace mfo::cli {
namespace {

// Without a configured secret, the instance keeps a generated one in its
// database, so `make run` needs no manual step and no default secret exists.
void ensure_secret_key(const Context& context, const core::Config& config,
                       core::Store& store)
{
    if (!config.secret_key.empty() || store.meta("secret_key")) {
        return;
    }
    store.set_meta("secret_key", core::random_token(32));
    context.say("generated a secret key and stored it in the database");
}

int run_init(const Context& context)
{
    const core::Config config = context.config();
    const std::string& path = config.database_path;
    const core::InitResult result = core::Store::initialize(path);
    const std::string version = std::to_string(result.to_version);
    if (result.from_version == 0) {
        context.say("created database '" + path + "' (schema version " +
                    version + ")");
    } else if (result.from_version == result.to_version) {
        context.say("database '" + path +
                    "' is already up to date (schema "
                    "version " +
                    version + ")");
    } else {
        context.say("upgraded database '" + path + "' from schema version " +
                    std::to_string(result.from_version) + " to " + version);
    }
    core::Store store = core::Store::open(path);
    ensure_secret_key(context, config, store);
    return k_exit_ok;
}

int run_status(const Context& context, bool is_json)
{
    core::Store store = context.open_store();
    const core::DbStatus status = store.status();
    if (is_json) {
        std::cout << "{\"path\":" << json_string(status.path)
                  << ",\"schema_version\":" << status.schema_version
                  << ",\"users\":" << status.user_count
                  << ",\"active_users\":" << status.active_user_count
                  << ",\"roles\":" << status.role_count
                  << ",\"sessions\":" << status.session_count << "}\n";
        return k_exit_ok;
    }
    std::cout << "database:       " << printable(status.path) << '\n'
              << "schema version: " << status.schema_version << '\n'
              << "users:          " << status.user_count << " ("
              << status.active_user_count << " active)\n"
              << "roles:          " << status.role_count << '\n'
              << "sessions:       " << status.session_count << '\n';
    return k_exit_ok;
}

int run_backup(const Context& context, const std::string& target)
{
    core::Store store = context.open_store();
    store.backup_to(target);
    context.say("backed up '" + store.path() + "' to '" + target + "'");
    return k_exit_ok;
}

int run_check(const Context& context)
{
    core::Store store = context.open_store();
    const std::vector<std::string> problems = store.check();
    for (const std::string& problem : problems) {
        std::cerr << "mfo: error: " << printable(problem) << '\n';
    }
    if (!problems.empty()) {
        return k_exit_failure;
    }
    context.say("database '" + store.path() +
                "' passed the integrity and foreign key checks");
    return k_exit_ok;
}

} // namespace

void add_db_commands(CLI::App& app, Context& context)
{
    CLI::App* db = app.add_subcommand("db", "Create and inspect the database");
    db->require_subcommand(1);

    CLI::App* init = db->add_subcommand(
        "init", "Create the database or upgrade its schema (safe to repeat)");
    init->callback([&context] {
        context.action = [&context] { return run_init(context); };
    });

    CLI::App* status =
        db->add_subcommand("status", "Show schema version and counts");
    auto is_json = std::make_shared<bool>(false);
    status->add_flag("--json", *is_json, "Print one JSON object");
    status->callback([&context, is_json] {
        context.action = [&context, is_json] {
            return run_status(context, *is_json);
        };
    });

    CLI::App* backup = db->add_subcommand(
        "backup", "Copy the database consistently, even while serving");
    auto target = std::make_shared<std::string>();
    backup->add_option("file", *target, "The new backup file")
        ->required()
        ->type_name("FILE");
    backup->callback([&context, target] {
        context.action = [&context, target] {
            return run_backup(context, *target);
        };
    });

    CLI::App* check = db->add_subcommand(
        "check", "Check integrity and foreign keys (exit 1 on a problem)");
    check->callback([&context] {
        context.action = [&context] { return run_check(context); };
    });
    add_import_command(*db, context);
}

} // namespace mfo::cli
