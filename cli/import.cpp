// mfo db import-flask-security FILE [--salt VALUE] [--dry-run]
//                                   [--role-map OLD=NEW]... [--check EMAIL]

#include "cli/context.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/password_input.hpp"
#include "core/flask_import.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace mfo::cli {
namespace {

struct ImportArgs {
    std::string file;
    std::optional<std::string> salt;
    bool is_dry_run = false;
    std::vector<std::string> role_maps;
    std::optional<std::string> check_email;
};

void warn(const std::string& message)
{
    std::cerr << "mfo: warning: " << printable(message) << '\n';
}

// OLD may hold any character FST allowed, NEW only what mfo allows (never
// '='), so the last '=' is the separator.
core::RoleMap parse_role_map(const std::vector<std::string>& entries)
{
    core::RoleMap role_map;
    for (const std::string& entry : entries) {
        const std::size_t equals = entry.rfind('=');
        if (equals == std::string::npos || equals == 0) {
            throw UsageError("--role-map '" + entry + "' is not OLD=NEW");
        }
        const std::string new_name = entry.substr(equals + 1);
        if (const auto problem = core::name_problem(new_name)) {
            throw UsageError("--role-map: invalid role name '" + new_name +
                             "': " + *problem);
        }
        if (!role_map.emplace(entry.substr(0, equals), new_name).second) {
            throw UsageError("--role-map names role '" +
                             entry.substr(0, equals) + "' twice");
        }
    }
    return role_map;
}

void check_role_map(const core::RoleMap& role_map, const core::FstDatabase& fst)
{
    for (const auto& [old_name, new_name] : role_map) {
        const bool is_known = std::any_of(
            fst.roles.begin(), fst.roles.end(), [&](const core::FstRole& role) {
                return role.original_name == old_name;
            });
        if (!is_known) {
            throw UsageError("--role-map: the Flask database has no role '" +
                             old_name + "'");
        }
    }
}

// The server checks imported hashes with password_pepper, so an import
// with any other salt would leave hashes nobody can log in with.
std::string choose_salt(const core::Config& config, const ImportArgs& args)
{
    const std::string& pepper = config.password_pepper;
    if (!args.salt) {
        return pepper;
    }
    if (!pepper.empty() && *args.salt != pepper) {
        std::string where;
        if (const auto source = config.sources.find("password_pepper");
            source != config.sources.end()) {
            where = " (" + source->second.describe() + ")";
        }
        throw UsageError("--salt differs from the configured "
                         "password_pepper" +
                         where +
                         ", which mfo serve "
                         "checks imported passwords with: drop --salt or "
                         "change the setting");
    }
    return *args.salt;
}

void require_no_problems(const core::FstDatabase& fst)
{
    for (const std::string& note : fst.notes) {
        warn(note);
    }
    if (fst.problems.empty()) {
        return;
    }
    for (const std::string& problem : fst.problems) {
        std::cerr << "mfo: error: " << printable(problem) << '\n';
    }
    throw core::Error(std::to_string(fst.problems.size()) +
                      " row(s) of the Flask database cannot be imported; "
                      "nothing was written");
}

// A known password that verifies proves the salt; the import is refused
// otherwise, since with a wrong salt nobody could log in afterwards.
void check_sample(const core::FstDatabase& fst, const std::string& email,
                  const std::string& salt, const Context& context)
{
    const core::FstUser* user = fst.find_user(email);
    if (user == nullptr) {
        throw UsageError("--check: the Flask database has no user '" + email +
                         "'");
    }
    if (user->password.scheme == core::k_scheme_none) {
        throw UsageError("--check: user '" + email + "' has a " +
                         user->hash_kind +
                         " hash, which mfo cannot "
                         "verify; pick a user with an argon2 or bcrypt hash");
    }
    if (isatty(STDIN_FILENO) == 1) {
        throw UsageError("--check reads the password of '" + email +
                         "' from standard input: pipe it in");
    }
    const core::SecretString password =
        read_new_password(PasswordSource::standard_input);
    const core::PasswordHasher hasher(core::k_minimum_cost, "", salt);
    if (!hasher.verify(password.view(), user->password).is_valid) {
        warn("no hash verified with this salt: check SECURITY_PASSWORD_SALT "
             "(and the password given for '" +
             email + "')");
        throw core::Error("--check failed for '" + email +
                          "'; nothing was written");
    }
    context.say("check: the password of " + printable(email) +
                " verified with this salt");
}

std::string join(const std::vector<std::string>& items,
                 const std::string& separator)
{
    std::string text;
    for (const std::string& item : items) {
        text += (text.empty() ? "" : separator) + item;
    }
    return text;
}

std::string describe_hashes(const core::ImportReport& report)
{
    std::int64_t argon2 = 0;
    std::int64_t bcrypt = 0;
    std::int64_t other = 0;
    std::vector<std::string> others;
    for (const auto& [kind, count] : report.hashes_by_kind) {
        if (kind == "argon2") {
            argon2 = count;
        } else if (kind == "bcrypt") {
            bcrypt = count;
        } else {
            other += count;
            others.push_back(std::to_string(count) + " " + kind);
        }
    }
    std::string text = std::to_string(argon2) + " argon2, " +
                       std::to_string(bcrypt) + " bcrypt, " +
                       std::to_string(other) + " other";
    return others.empty() ? text : text + " (" + join(others, ", ") + ")";
}

void print_report(const Context& context, const core::ImportReport& report)
{
    const std::string would = report.is_dry_run ? "would be " : "";
    if (report.is_dry_run) {
        for (const std::string& email : report.imported) {
            context.say("would import " + printable(email));
        }
    }
    context.say("users:  " + std::to_string(report.users_imported) + " " +
                would + "imported, " + std::to_string(report.skipped.size()) +
                " skipped");
    context.say("roles:  " + std::to_string(report.roles_created.size()) + " " +
                would + "created, " +
                std::to_string(report.roles_merged.size()) + " merged");
    context.say("links:  " + std::to_string(report.links_created) + " " +
                would + "created, " + std::to_string(report.duplicate_links) +
                " duplicate roles_users row(s) dropped");
    context.say("hashes: " + describe_hashes(report));
    for (const std::string& line : report.skipped) {
        context.say("skipped " + printable(line));
    }
    for (const std::string& line : report.roles_merged) {
        context.say("merged role " + printable(line));
    }
    for (const std::string& line : report.must_reset) {
        context.say("must reset password: " + printable(line));
    }
    if (!report.must_reset.empty()) {
        context.say("these users have no usable password hash: give them "
                    "one with 'mfo user passwd EMAIL'");
    }
    if (report.is_dry_run) {
        context.say("dry run: nothing was written");
    }
}

int run_import(const Context& context, const ImportArgs& args)
{
    const core::RoleMap role_map = parse_role_map(args.role_maps);
    const core::Config config = context.config();
    const std::string salt = choose_salt(config, args);

    const core::FstDatabase fst = core::read_fst_database(args.file, role_map);
    check_role_map(role_map, fst);
    require_no_problems(fst);
    if (fst.needs_salt() && salt.empty()) {
        throw core::Error("the Flask database's hashes need "
                          "SECURITY_PASSWORD_SALT: pass --salt or set it in "
                          ".env");
    }
    if (args.check_email) {
        check_sample(fst, *args.check_email, salt, context);
    }

    core::Store store = core::Store::open(config.database_path);
    const core::ImportReport report =
        core::import_fst_database(store, fst, args.is_dry_run);
    print_report(context, report);
    const bool has_fst_hashes = report.hashes_by_kind.count("argon2") ||
                                report.hashes_by_kind.count("bcrypt");
    if (has_fst_hashes && config.password_pepper.empty()) {
        warn("set password_pepper (or SECURITY_PASSWORD_SALT in .env) to the "
             "--salt value before 'mfo serve': imported passwords verify "
             "only with it");
    }
    return k_exit_ok;
}

} // namespace

void add_import_command(CLI::App& db, Context& context)
{
    auto args = std::make_shared<ImportArgs>();
    CLI::App* command = db.add_subcommand(
        "import-flask-security",
        "Import users, roles and permissions from a Flask-Security-Too "
        "database");
    command->add_option("FILE", args->file, "The Flask app's SQLite file")
        ->required();
    command
        ->add_option("--salt", args->salt,
                     "The Flask app's SECURITY_PASSWORD_SALT (default: "
                     "the password_pepper setting)")
        ->type_name("VALUE");
    command->add_flag("--dry-run", args->is_dry_run,
                      "Show what would be imported and write nothing");
    command
        ->add_option("--role-map", args->role_maps,
                     "Rename a role on import, e.g. Admin=admin "
                     "(repeatable)")
        ->type_name("OLD=NEW")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    command
        ->add_option("--check", args->check_email,
                     "Verify a known password of this user, read from "
                     "standard input, before writing")
        ->type_name("EMAIL");
    command->callback([&context, args] {
        context.action = [&context, args] {
            return run_import(context, *args);
        };
    });
}

} // namespace mfo::cli
