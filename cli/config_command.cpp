// mfo config show

#include "cli/context.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

namespace mfo::cli {
namespace {

int run_show(const Context& context, bool is_json)
{
    const std::vector<core::ConfigLine> lines =
        core::describe_config(context.config());
    if (is_json) {
        std::cout << '[';
        for (size_t i = 0; i < lines.size(); ++i) {
            std::cout << (i == 0 ? "" : ",\n")
                      << "{\"key\":" << json_string(lines[i].key)
                      << ",\"value\":" << json_string(lines[i].value)
                      << ",\"source\":" << json_string(lines[i].source) << '}';
        }
        std::cout << "]\n";
        return k_exit_ok;
    }
    size_t width = 0;
    for (const core::ConfigLine& line : lines) {
        width = std::max(width, line.key.size());
    }
    for (const core::ConfigLine& line : lines) {
        std::cout << line.key << std::string(width + 2 - line.key.size(), ' ')
                  << printable(line.value) << "  (" << line.source << ")\n";
    }
    return k_exit_ok;
}

} // namespace

void add_config_commands(CLI::App& app, Context& context)
{
    CLI::App* config =
        app.add_subcommand("config", "Inspect the effective configuration");
    config->require_subcommand(1);
    CLI::App* show = config->add_subcommand(
        "show", "Print every setting, its value and where it came from "
                "(secrets redacted)");
    auto is_json = std::make_shared<bool>(false);
    show->add_flag("--json", *is_json, "Print a JSON array");
    show->callback([&context, is_json] {
        context.action = [&context, is_json] {
            return run_show(context, *is_json);
        };
    });
}

} // namespace mfo::cli
