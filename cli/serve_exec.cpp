// mfo serve, inside mfo: hands the process over to mfo-serve (serve.hpp).

#include "cli/serve.hpp"
#include "core/error.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace mfo::cli {
namespace {

namespace fs = std::filesystem;

// Where mfo-serve is: beside mfo (a build tree), else where `make install`
// and the Debian package put it, found relative to mfo itself
// (../libexec/mfo/mfo-serve), so an unpacked or relocated install works.
fs::path server_program()
{
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    if (error) {
        throw core::Error("cannot find the mfo-serve program: /proc/self/exe "
                          "is not readable (" +
                          error.message() + ")");
    }
    const std::array<fs::path, 2> candidates{self.parent_path() / "mfo-serve",
                                             self.parent_path() /
                                                 MFO_SERVE_FROM_BINDIR};
    for (const fs::path& candidate : candidates) {
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate.lexically_normal();
        }
    }
    throw core::Error("cannot find the mfo-serve program (looked for " +
                      candidates[0].string() + " and " +
                      candidates[1].lexically_normal().string() +
                      "); reinstall mfo");
}

} // namespace

int run_serve(Context& context, const ServeArgs&)
{
    const fs::path program = server_program();
    ::execv(program.c_str(), context.argv);
    throw core::Error("cannot start " + program.string() + ": " +
                      std::strerror(errno));
}

} // namespace mfo::cli
