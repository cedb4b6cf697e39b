#include "cli/context.hpp"

#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace mfo::cli {

core::Config Context::config() const
{
    core::ConfigRequest request;
    request.config_file = config_file;
    request.env_file = env_file;
    request.flags = flags;
    if (database) {
        request.flags.emplace_back("database", *database);
    }
    return core::load_config(request);
}

core::Store Context::open_store() const
{
    return core::Store::open(config().database_path);
}

void Context::say(const std::string& line) const
{
    if (!is_quiet) {
        std::cout << line << '\n';
    }
}

bool use_colour()
{
    const char* no_colour = std::getenv("NO_COLOR");
    if (no_colour != nullptr && no_colour[0] != '\0') {
        return false;
    }
    return isatty(STDERR_FILENO) == 1;
}

} // namespace mfo::cli

#include "core/email.hpp"

namespace mfo::cli {

core::PasswordHasher make_hasher(const core::Config& config)
{
    return core::PasswordHasher(
        core::HashCost{config.argon2_iterations, config.argon2_memory_kib},
        config.password_pepper, config.password_pepper);
}

void require_valid_email(const std::string& email)
{
    if (const auto problem = core::email_problem(email)) {
        throw UsageError("invalid email: " + *problem);
    }
}

} // namespace mfo::cli
