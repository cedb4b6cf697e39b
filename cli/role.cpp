// mfo role create | list | show | delete | grant | revoke |
//          add-permission | remove-permission

#include "cli/context.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

namespace mfo::cli {
namespace {

struct RoleArgs {
    std::string name;
    std::string email;
    std::string description;
    std::vector<std::string> permissions;
    bool is_json = false;
};

using Args = std::shared_ptr<RoleArgs>;

void require_valid_name(const std::string& what, const std::string& name)
{
    if (const auto problem = core::name_problem(name)) {
        throw UsageError("invalid " + what + " name '" + name +
                         "': " + *problem);
    }
}

int run_create(const Context& context, const RoleArgs& args)
{
    require_valid_name("role", args.name);
    for (const std::string& permission : args.permissions) {
        require_valid_name("permission", permission);
    }
    core::Store store = context.open_store();
    store.create_role(args.name, args.description, args.permissions);
    context.say("created role " + args.name);
    return k_exit_ok;
}

void print_role_text(const core::Role& role)
{
    std::string permissions;
    for (const std::string& permission : role.permissions) {
        permissions += (permissions.empty() ? "" : ",") + permission;
    }
    std::cout << role.name << '\t' << role.user_count << " users\t"
              << (permissions.empty() ? "-" : permissions) << '\t'
              << printable(role.description) << '\n';
}

int run_list(const Context& context, const RoleArgs& args)
{
    core::Store store = context.open_store();
    const std::vector<core::Role> roles = store.list_roles();
    if (!args.is_json) {
        for (const core::Role& role : roles) {
            print_role_text(role);
        }
        return k_exit_ok;
    }
    std::cout << '[';
    for (size_t i = 0; i < roles.size(); ++i) {
        std::cout << (i == 0 ? "" : ",\n");
        write_role_json(std::cout, roles[i]);
    }
    std::cout << "]\n";
    return k_exit_ok;
}

int run_show(const Context& context, const RoleArgs& args)
{
    core::Store store = context.open_store();
    const std::optional<core::Role> role = store.find_role(args.name);
    if (!role) {
        throw core::Error("role '" + args.name + "' does not exist",
                          core::Error::Kind::not_found);
    }
    if (args.is_json) {
        write_role_json(std::cout, *role);
        std::cout << '\n';
    } else {
        print_role_text(*role);
    }
    return k_exit_ok;
}

int run_delete(const Context& context, const RoleArgs& args)
{
    core::Store store = context.open_store();
    store.delete_role(args.name);
    context.say("deleted role " + args.name);
    return k_exit_ok;
}

int run_grant(const Context& context, const RoleArgs& args)
{
    core::Store store = context.open_store();
    const bool is_changed = store.grant_role(args.name, args.email);
    context.say(printable(args.email) +
                (is_changed ? " now has role " : " already had role ") +
                args.name);
    return k_exit_ok;
}

int run_revoke(const Context& context, const RoleArgs& args)
{
    core::Store store = context.open_store();
    const bool is_changed = store.revoke_role(args.name, args.email);
    context.say(printable(args.email) +
                (is_changed ? " no longer has role " : " did not have role ") +
                args.name);
    return k_exit_ok;
}

int run_add_permissions(const Context& context, const RoleArgs& args)
{
    for (const std::string& permission : args.permissions) {
        require_valid_name("permission", permission);
    }
    core::Store store = context.open_store();
    for (const std::string& permission : args.permissions) {
        const bool is_changed = store.add_permission(args.name, permission);
        context.say(
            "role " + args.name +
            (is_changed ? " now has permission " : " already had permission ") +
            permission);
    }
    return k_exit_ok;
}

int run_remove_permissions(const Context& context, const RoleArgs& args)
{
    core::Store store = context.open_store();
    for (const std::string& permission : args.permissions) {
        const bool is_changed = store.remove_permission(args.name, permission);
        context.say("role " + args.name +
                    (is_changed ? " no longer has permission "
                                : " did not have permission ") +
                    permission);
    }
    return k_exit_ok;
}

CLI::App* add_command(CLI::App* parent, Context& context, const char* name,
                      const char* help,
                      int (*run)(const Context&, const RoleArgs&), Args& args)
{
    args = std::make_shared<RoleArgs>();
    CLI::App* command = parent->add_subcommand(name, help);
    command->callback([&context, args, run] {
        context.action = [&context, args, run] { return run(context, *args); };
    });
    return command;
}

void add_role_name(CLI::App* command, const Args& args)
{
    command->add_option("role", args->name, "The role's name")
        ->required()
        ->type_name("ROLE");
}

void add_email(CLI::App* command, const Args& args)
{
    command->add_option("email", args->email, "The user's email")
        ->required()
        ->type_name("EMAIL");
}

void add_permissions(CLI::App* command, const Args& args)
{
    command->add_option("permission", args->permissions, "Permission names")
        ->required()
        ->type_name("PERMISSION");
}

} // namespace

void add_role_commands(CLI::App& app, Context& context)
{
    CLI::App* role = app.add_subcommand("role", "Manage roles and permissions");
    role->require_subcommand(1);
    Args args;

    CLI::App* create =
        add_command(role, context, "create", "Create a role", run_create, args);
    add_role_name(create, args);
    create
        ->add_option("-d,--description", args->description,
                     "What the role is for")
        ->type_name("TEXT");
    create
        ->add_option("-p,--permission", args->permissions,
                     "Give the role this permission (repeatable)")
        ->type_name("PERMISSION");

    CLI::App* list =
        add_command(role, context, "list", "List roles", run_list, args);
    list->add_flag("--json", args->is_json, "Print a JSON array");

    CLI::App* show =
        add_command(role, context, "show", "Show one role", run_show, args);
    add_role_name(show, args);
    show->add_flag("--json", args->is_json, "Print one JSON object");

    add_role_name(add_command(role, context, "delete",
                              "Delete a role and its links", run_delete, args),
                  args);

    CLI::App* grant = add_command(role, context, "grant", "Give a user a role",
                                  run_grant, args);
    add_role_name(grant, args);
    add_email(grant, args);

    CLI::App* revoke = add_command(role, context, "revoke",
                                   "Take a role from a user", run_revoke, args);
    add_role_name(revoke, args);
    add_email(revoke, args);

    CLI::App* add_permission =
        add_command(role, context, "add-permission",
                    "Add permissions to a role", run_add_permissions, args);
    add_role_name(add_permission, args);
    add_permissions(add_permission, args);

    CLI::App* remove_permission = add_command(
        role, context, "remove-permission", "Remove permissions from a role",
        run_remove_permissions, args);
    add_role_name(remove_permission, args);
    add_permissions(remove_permission, args);
}

} // namespace mfo::cli
