// mfo user create | list | show | activate | deactivate | passwd |
//          reset-access | delete

#include "cli/context.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/password_input.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

namespace mfo::cli {
namespace {

struct UserArgs {
    std::string email;
    std::optional<std::string> username;
    std::vector<std::string> roles;
    std::optional<std::string> role_filter;
    bool is_inactive = false;
    bool is_json = false;
    bool is_password_stdin = false;
    bool is_password_generated = false;
};

using Args = std::shared_ptr<UserArgs>;

PasswordSource password_source(const UserArgs& args)
{
    if (args.is_password_generated) {
        return PasswordSource::generate;
    }
    return args.is_password_stdin ? PasswordSource::standard_input
                                  : PasswordSource::prompt;
}

// Reads, checks and hashes a new password; prints it when generated, the
// only time anyone sees it.
core::PasswordHash new_password_hash(const core::Config& config,
                                     const UserArgs& args)
{
    const core::SecretString password =
        read_new_password(password_source(args));
    const core::PasswordPolicy policy{config.password_min_length,
                                      config.password_max_length};
    if (const auto problem =
            core::password_problem(password.view(), args.email, policy)) {
        throw UsageError(*problem);
    }
    core::PasswordHash hash = make_hasher(config).hash(password.view());
    if (args.is_password_generated) {
        std::cout << "generated password (shown once): " << password.view()
                  << '\n';
    }
    return hash;
}

core::User require_user(core::Store& store, const std::string& email)
{
    std::optional<core::User> user = store.find_user_by_email(email);
    if (!user) {
        throw core::Error("user '" + email + "' does not exist",
                          core::Error::Kind::not_found);
    }
    return *user;
}

int run_create(const Context& context, const UserArgs& args)
{
    require_valid_email(args.email);
    const core::Config config = context.config();
    core::Store store = core::Store::open(config.database_path);
    // Fail on a taken email before asking for a password nobody will use.
    if (store.find_user_by_email(args.email)) {
        throw core::Error("user '" + args.email + "' already exists",
                          core::Error::Kind::conflict);
    }
    for (const std::string& role : args.roles) {
        if (!store.find_role(role)) {
            throw core::Error("role '" + role +
                                  "' does not exist: create it "
                                  "with 'mfo role create " +
                                  role + "'",
                              core::Error::Kind::not_found);
        }
    }
    core::NewUser user{
        args.email,        args.username, new_password_hash(config, args),
        !args.is_inactive, args.roles,    std::nullopt};
    const core::User created = store.create_user(user);
    context.say("created user " + printable(created.email) +
                (created.is_active ? "" : " (inactive)"));
    return k_exit_ok;
}

void print_user_text(const core::User& user)
{
    std::string roles;
    for (const std::string& role : user.roles) {
        roles += (roles.empty() ? "" : ", ") + role;
    }
    std::cout << "email:         " << printable(user.email) << '\n'
              << "username:      " << printable(user.username.value_or(""))
              << '\n'
              << "active:        " << (user.is_active ? "yes" : "no") << '\n'
              << "roles:         " << printable(roles) << '\n'
              << "created:       " << core::format_time(user.created_at) << '\n'
              << "last login:    " << optional_time(user.current_login_at)
              << " from " << printable(user.current_login_ip.value_or("-"))
              << '\n'
              << "login count:   " << user.login_count << '\n';
}

int run_show(const Context& context, const UserArgs& args)
{
    core::Store store = context.open_store();
    const core::User user = require_user(store, args.email);
    if (args.is_json) {
        write_user_json(std::cout, user);
        std::cout << '\n';
    } else {
        print_user_text(user);
    }
    return k_exit_ok;
}

int run_list(const Context& context, const UserArgs& args)
{
    core::Store store = context.open_store();
    if (args.role_filter && !store.find_role(*args.role_filter)) {
        throw core::Error("role '" + *args.role_filter + "' does not exist",
                          core::Error::Kind::not_found);
    }
    const std::vector<core::User> users =
        store.list_users(core::UserQuery{args.role_filter, -1, 0});
    if (args.is_json) {
        std::cout << '[';
        for (size_t i = 0; i < users.size(); ++i) {
            std::cout << (i == 0 ? "" : ",\n");
            write_user_json(std::cout, users[i]);
        }
        std::cout << "]\n";
        return k_exit_ok;
    }
    for (const core::User& user : users) {
        std::string roles;
        for (const std::string& role : user.roles) {
            roles += (roles.empty() ? "" : ",") + role;
        }
        std::cout << printable(user.email) << '\t'
                  << (user.is_active ? "active" : "inactive") << '\t'
                  << printable(roles) << '\n';
    }
    return k_exit_ok;
}

int run_set_active(const Context& context, const UserArgs& args, bool is_active)
{
    core::Store store = context.open_store();
    const bool is_changed = store.set_active(args.email, is_active);
    const char* state = is_active ? "active" : "inactive";
    context.say("user " + printable(args.email) +
                (is_changed ? " is now " : " was already ") + state);
    return k_exit_ok;
}

int run_passwd(const Context& context, const UserArgs& args)
{
    const core::Config config = context.config();
    core::Store store = core::Store::open(config.database_path);
    const core::User user = require_user(store, args.email);
    store.set_password(user.id, new_password_hash(config, args));
    context.say("changed the password of " + printable(user.email) +
                "; their sessions have ended");
    return k_exit_ok;
}

int run_reset_access(const Context& context, const UserArgs& args)
{
    core::Store store = context.open_store();
    store.reset_access(args.email);
    context.say("reset access of " + printable(args.email) +
                ": every session has ended");
    return k_exit_ok;
}

int run_delete(const Context& context, const UserArgs& args)
{
    core::Store store = context.open_store();
    store.delete_user(args.email);
    context.say("deleted user " + printable(args.email));
    return k_exit_ok;
}

void add_password_options(CLI::App* command, const Args& args)
{
    CLI::Option* from_stdin = command->add_flag(
        "--password-stdin", args->is_password_stdin,
        "Read the password from the first line of standard input");
    command
        ->add_flag("--generate-password", args->is_password_generated,
                   "Generate a password and print it once")
        ->excludes(from_stdin);
}

// Registers `name` with `run` as its action; each gets its own arguments.
CLI::App* add_command(CLI::App* parent, Context& context, const char* name,
                      const char* help, const Args& args,
                      int (*run)(const Context&, const UserArgs&))
{
    CLI::App* command = parent->add_subcommand(name, help);
    command->callback([&context, args, run] {
        context.action = [&context, args, run] { return run(context, *args); };
    });
    return command;
}

void add_email(CLI::App* command, const Args& args)
{
    command->add_option("email", args->email, "The user's email")
        ->required()
        ->type_name("EMAIL");
}

} // namespace

void add_user_commands(CLI::App& app, Context& context)
{
    CLI::App* user = app.add_subcommand("user", "Manage user accounts");
    user->require_subcommand(1);

    const auto create_args = std::make_shared<UserArgs>();
    CLI::App* create = add_command(user, context, "create", "Create a user",
                                   create_args, run_create);
    add_email(create, create_args);
    create
        ->add_option("-r,--role", create_args->roles,
                     "Give the user this role (repeatable)")
        ->type_name("ROLE");
    create
        ->add_option("--username", create_args->username,
                     "An optional unique user name")
        ->type_name("NAME");
    create->add_flag("--inactive", create_args->is_inactive,
                     "Create the account disabled");
    add_password_options(create, create_args);

    const auto list_args = std::make_shared<UserArgs>();
    CLI::App* list =
        add_command(user, context, "list", "List users", list_args, run_list);
    list->add_option("-r,--role", list_args->role_filter,
                     "Only users holding this role")
        ->type_name("ROLE");
    list->add_flag("--json", list_args->is_json, "Print a JSON array");

    const auto show_args = std::make_shared<UserArgs>();
    CLI::App* show = add_command(user, context, "show", "Show one user",
                                 show_args, run_show);
    add_email(show, show_args);
    show->add_flag("--json", show_args->is_json, "Print one JSON object");

    const auto activate_args = std::make_shared<UserArgs>();
    add_email(add_command(user, context, "activate", "Allow a user to log in",
                          activate_args,
                          [](const Context& c, const UserArgs& a) {
                              return run_set_active(c, a, true);
                          }),
              activate_args);

    const auto deactivate_args = std::make_shared<UserArgs>();
    add_email(add_command(user, context, "deactivate",
                          "Stop a user logging in and end their sessions",
                          deactivate_args,
                          [](const Context& c, const UserArgs& a) {
                              return run_set_active(c, a, false);
                          }),
              deactivate_args);

    const auto passwd_args = std::make_shared<UserArgs>();
    CLI::App* passwd = add_command(user, context, "passwd",
                                   "Set a new password and end all sessions",
                                   passwd_args, run_passwd);
    add_email(passwd, passwd_args);
    add_password_options(passwd, passwd_args);

    const auto reset_args = std::make_shared<UserArgs>();
    add_email(add_command(user, context, "reset-access",
                          "End every session of a user", reset_args,
                          run_reset_access),
              reset_args);

    const auto delete_args = std::make_shared<UserArgs>();
    add_email(add_command(user, context, "delete",
                          "Delete a user and their role links", delete_args,
                          run_delete),
              delete_args);
}

} // namespace mfo::cli
