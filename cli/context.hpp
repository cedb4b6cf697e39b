#pragma once

#include "core/config.hpp"
#include "core/store.hpp"

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace mfo::cli {

// A value refused before any state was touched: exit status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Options every command shares, and the command chosen on the command line.
struct Context {
    std::optional<std::string> config_file;
    std::optional<std::string> env_file;
    std::optional<std::string> database;
    bool is_quiet = false;
    // Flag overrides collected by subcommands ("port" -> "8080").
    std::vector<std::pair<std::string, std::string>> flags;

    // Set by the chosen subcommand's parse callback, run after parsing.
    std::function<int()> action;
    // The command line as given to main (mfo serve passes it on).
    char** argv = nullptr;

    // The effective configuration: defaults, file, .env, environment, flags.
    core::Config config() const;
    // Opens the configured, initialized database.
    core::Store open_store() const;
    // Prints a progress or result line unless --quiet.
    void say(const std::string& line) const;
};

// Whether standard output should get colour: a terminal and no NO_COLOR.
bool use_colour();

// One function per command group adds its subcommands.
void add_db_commands(CLI::App& app, Context& context);
void add_import_command(CLI::App& db, Context& context);
void add_user_commands(CLI::App& app, Context& context);
void add_role_commands(CLI::App& app, Context& context);
void add_config_commands(CLI::App& app, Context& context);
void add_serve_command(CLI::App& app, Context& context);

} // namespace mfo::cli

#include "core/password.hpp"

namespace mfo::cli {

// The hasher the configuration asks for: argon2id cost and pepper.
core::PasswordHasher make_hasher(const core::Config& config);

// Throws UsageError when `email` cannot be a user's address.
void require_valid_email(const std::string& email);

} // namespace mfo::cli
