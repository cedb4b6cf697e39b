#include "tests/support/run_mfo.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

namespace mfo::test {
namespace {

std::string shell_quote(const std::string& text)
{
    std::string quoted = "'";
    for (const char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

RunResult run_mfo(const TempDir& dir, const std::vector<std::string>& args,
                  const RunOptions& options)
{
    const std::string input = dir.write(".stdin", options.input);
    std::string command = "cd " + shell_quote(dir.path().string()) +
                          " && env -i PATH=/usr/bin:/bin HOME=" +
                          shell_quote(dir.path().string());
    for (const std::string& variable : options.environment) {
        command += " " + shell_quote(variable);
    }
    command += " " + shell_quote(options.binary);
    for (const std::string& arg : args) {
        command += " " + shell_quote(arg);
    }
    command += " <" + shell_quote(input) + " >" +
               shell_quote(dir.file(".stdout")) + " 2>" +
               shell_quote(dir.file(".stderr"));
    const int status = std::system(command.c_str());
    if (status == -1 || !WIFEXITED(status)) {
        throw std::runtime_error("could not run mfo");
    }
    return RunResult{WEXITSTATUS(status), read_file(dir.file(".stdout")),
                     read_file(dir.file(".stderr"))};
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

void init_instance(const TempDir& dir)
{
    dir.write("mfo.conf", "argon2_memory_kib = 19456\n"
                          "argon2_iterations = 2\n");
    const RunResult result = run_mfo(dir, {"db", "init"});
    if (result.exit_code != 0) {
        throw std::runtime_error("mfo db init failed: " + result.err);
    }
}

} // namespace mfo::test
