#include "tests/support/run_mfo.hpp"

#include <catch2/catch.hpp>

using namespace mfo::test;

TEST_CASE("db init creates the database and says so", "[cli]")
{
    const TempDir dir;

    const RunResult result = run_mfo(dir, {"db", "init"});

    CHECK(result.exit_code == 0);
    CHECK(result.out.find("created database 'mfo.db'") != std::string::npos);
    CHECK(std::filesystem::exists(dir.file("mfo.db")));
}

TEST_CASE("db init run twice is harmless and says so", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    REQUIRE(run_mfo(dir,
                    {"user", "create", "a@example.org", "--password-stdin"},
                    {"long-password-1\n", {}})
                .exit_code == 0);

    const RunResult again = run_mfo(dir, {"db", "init"});

    CHECK(again.exit_code == 0);
    CHECK(again.out.find("already up to date") != std::string::npos);
    CHECK(run_mfo(dir, {"user", "show", "a@example.org"}).exit_code == 0);
}

TEST_CASE("db status reports version and counts as JSON", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    run_mfo(dir, {"role", "create", "admin"});

    const RunResult result = run_mfo(dir, {"db", "status", "--json"});

    CHECK(result.exit_code == 0);
    CHECK(result.out.find("\"schema_version\":2") != std::string::npos);
    CHECK(result.out.find("\"roles\":1") != std::string::npos);
    CHECK(result.out.find("\"users\":0") != std::string::npos);
}

TEST_CASE("a command on a missing database says to run db init", "[cli]")
{
    const TempDir dir;

    const RunResult result = run_mfo(dir, {"user", "list"});

    CHECK(result.exit_code == 1);
    CHECK(result.err.rfind("mfo: error: ", 0) == 0);
    CHECK(result.err.find("mfo db init") != std::string::npos);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(dir.file("mfo.db")));
}

TEST_CASE("the global --db option chooses the database file", "[cli]")
{
    const TempDir dir;

    CHECK(run_mfo(dir, {"--db", "other.db", "db", "init"}).exit_code == 0);
    CHECK(std::filesystem::exists(dir.file("other.db")));
    CHECK(run_mfo(dir, {"db", "status", "--db", "other.db"}).exit_code == 0);
}

TEST_CASE("db init generates a secret key once and keeps it", "[cli]")
{
    const TempDir dir;

    const RunResult first = run_mfo(dir, {"db", "init"});
    const RunResult second = run_mfo(dir, {"db", "init"});

    CHECK(first.out.find("generated a secret key") != std::string::npos);
    CHECK(second.out.find("generated a secret key") == std::string::npos);
}
