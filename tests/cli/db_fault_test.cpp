#include "tests/support/run_mfo.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace mfo::test;

namespace {

std::string read_bytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void expect_one_line_failure(const RunResult& result, const char* reason)
{
    CHECK(result.exit_code == 1);
    CHECK(result.err.rfind("mfo: error: ", 0) == 0);
    CHECK(contains(result.err, reason));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

} // namespace

TEST_CASE("db backup writes a consistent copy that passes db check", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    run_mfo(dir, {"role", "create", "crew"});

    const RunResult backup = run_mfo(dir, {"db", "backup", "copy.db"});
    const RunResult check = run_mfo(dir, {"--db", "copy.db", "db", "check"});
    const RunResult roles =
        run_mfo(dir, {"--db", "copy.db", "role", "list", "--json"});

    CHECK(backup.exit_code == 0);
    CHECK(check.exit_code == 0);
    CHECK(contains(roles.out, "\"crew\""));
}

TEST_CASE("db backup refuses to overwrite an existing file", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    dir.write("taken.db", "precious");

    const RunResult result = run_mfo(dir, {"db", "backup", "taken.db"});

    expect_one_line_failure(result, "already exists");
    CHECK(read_bytes(dir.file("taken.db")) == "precious");
}

TEST_CASE("db check reports a broken foreign key and exits 1", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    REQUIRE(std::system(("sqlite3 " + dir.file("mfo.db") +
                         " \"PRAGMA foreign_keys=OFF; INSERT INTO "
                         "user_roles(user_id, role_id) VALUES (41, 42);\"")
                            .c_str()) == 0);

    const RunResult result = run_mfo(dir, {"db", "check"});

    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "foreign key"));
}

TEST_CASE("a database that is not SQLite is refused and left alone", "[cli]")
{
    const TempDir dir;
    const std::string junk(4096, 'x');
    dir.write("mfo.db", junk);

    expect_one_line_failure(run_mfo(dir, {"user", "list"}), "not an SQLite");
    expect_one_line_failure(run_mfo(dir, {"db", "init"}), "not an SQLite");
    CHECK(read_bytes(dir.file("mfo.db")) == junk);
}

TEST_CASE("another application's database is refused by db init", "[cli]")
{
    const TempDir dir;
    REQUIRE(std::system(("sqlite3 " + dir.file("mfo.db") +
                         " 'CREATE TABLE invoices(id INTEGER);'")
                            .c_str()) == 0);

    expect_one_line_failure(run_mfo(dir, {"db", "init"}),
                            "not an mfo database");
    expect_one_line_failure(run_mfo(dir, {"user", "list"}),
                            "not an mfo database");
}

TEST_CASE("a database from a newer mfo is refused", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    REQUIRE(std::system(
                ("sqlite3 " + dir.file("mfo.db") + " 'PRAGMA user_version=99;'")
                    .c_str()) == 0);

    expect_one_line_failure(run_mfo(dir, {"user", "list"}), "newer");
}

TEST_CASE("a directory in place of the database is a clear error", "[cli]")
{
    const TempDir dir;
    std::filesystem::create_directory(dir.file("mfo.db"));

    const RunResult result = run_mfo(dir, {"user", "list"});

    CHECK(result.exit_code == 1);
    CHECK(result.err.rfind("mfo: error: ", 0) == 0);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

TEST_CASE("a write while another process holds the lock fails cleanly", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    // sqlite3 holds an exclusive write lock for longer than the 5 s timeout.
    const std::string holder =
        "(echo 'BEGIN IMMEDIATE;'; sleep 8; echo 'COMMIT;') | sqlite3 " +
        dir.file("mfo.db") + " &";
    REQUIRE(std::system(holder.c_str()) == 0);
    std::system("sleep 0.5");

    const RunResult result = run_mfo(dir, {"role", "create", "crew"});

    expect_one_line_failure(result, "locked");
    std::system("sleep 3");
    CHECK(run_mfo(dir, {"role", "list", "--json"}).out.find("crew") ==
          std::string::npos);
}

TEST_CASE("db backup makes a file only its owner can read", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    REQUIRE(run_mfo(dir, {"db", "backup", "copy.db"}).exit_code == 0);

    const auto perms =
        std::filesystem::status(dir.file("copy.db")).permissions();
    CHECK((perms & (std::filesystem::perms::group_all |
                    std::filesystem::perms::others_all)) ==
          std::filesystem::perms::none);
}
