#include "tests/support/run_mfo.hpp"

#include <catch2/catch.hpp>

using namespace mfo::test;

TEST_CASE("mfo without a command is a usage error", "[cli]")
{
    const TempDir dir;

    const RunResult result = run_mfo(dir, {});

    CHECK(result.exit_code == 2);
    CHECK(result.err.rfind("mfo: error: ", 0) == 0);
}

TEST_CASE("an unknown command or option is a one-line usage error", "[cli]")
{
    const TempDir dir;

    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"frobnicate"},
          std::vector<std::string>{"user", "list", "--colour"},
          std::vector<std::string>{"user", "show"},
          std::vector<std::string>{"role", "grant", "only-role"}}) {
        const RunResult result = run_mfo(dir, args);
        CHECK(result.exit_code == 2);
        CHECK(result.err.rfind("mfo: error: ", 0) == 0);
        CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    }
}

TEST_CASE("mfo --help lists the command groups and exits 0", "[cli]")
{
    const TempDir dir;

    const RunResult result = run_mfo(dir, {"--help"});

    CHECK(result.exit_code == 0);
    for (const char* command : {"db", "user", "role", "config", "serve"}) {
        CHECK(contains(result.out, command));
    }
}

TEST_CASE("mfo --version names the version and the commit", "[cli]")
{
    const TempDir dir;

    const RunResult result = run_mfo(dir, {"--version"});

    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "mfo 0.1.0"));
    CHECK(contains(result.out, "commit"));
}

TEST_CASE("config show names each source and redacts secrets", "[cli]")
{
    const TempDir dir;
    dir.write("mfo.conf", "port = 6000\n");
    dir.write(".env", "FLASK_SECRET_KEY=super-secret-value\n");

    const RunResult result =
        run_mfo(dir, {"config", "show"}, {"", {"MFO_HOST=0.0.0.0"}});

    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "6000"));
    CHECK(contains(result.out, "mfo.conf:1"));
    CHECK(contains(result.out, "env MFO_HOST"));
    CHECK_FALSE(contains(result.out, "super-secret-value"));
}

TEST_CASE("a bad config value names the key and where it came from", "[cli]")
{
    const TempDir dir;
    dir.write("mfo.conf", "# comment\nport = abc\n");

    const RunResult result = run_mfo(dir, {"config", "show"});

    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "port"));
    CHECK(contains(result.err, "mfo.conf:2"));
}
