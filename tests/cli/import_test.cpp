#include "tests/support/fst_fixture.hpp"
#include "tests/support/run_mfo.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <filesystem>

using namespace mfo::test;

namespace {

const std::string k_salt_flag = std::string("--salt=") + k_fst_fixture_salt;

RunResult import(const TempDir& dir, std::vector<std::string> extra = {},
                 const RunOptions& options = {})
{
    std::vector<std::string> args{"db", "import-flask-security",
                                  fst_fixture_path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_mfo(dir, args, options);
}

std::string status(const TempDir& dir)
{
    return run_mfo(dir, {"db", "status", "--json"}).out;
}

bool is_empty(const TempDir& dir)
{
    const std::string json = status(dir);
    return contains(json, "\"users\":0") && contains(json, "\"roles\":0");
}

} // namespace

TEST_CASE("db import-flask-security imports users and sums up", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result = import(dir, {k_salt_flag});

    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "users:  8 imported, 0 skipped\n"));
    CHECK(contains(result.out, "roles:  3 created, 0 merged\n"));
    CHECK(contains(result.out, "links:  6 created, 1 duplicate"));
    CHECK(contains(result.out, "hashes: 2 argon2, 3 bcrypt, 3 other"));
    CHECK(contains(result.out,
                   "must reset password: plain@example.com (plaintext)\n"));
    CHECK(contains(run_mfo(dir, {"user", "show", "editor@example.com"}).out,
                   "roles:         editor, viewer\n"));
}

TEST_CASE("db import-flask-security takes the salt from SECURITY_PASSWORD_"
          "SALT in .env",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    dir.write(".env", std::string("SECURITY_PASSWORD_SALT=") +
                          k_fst_fixture_salt + "\n");

    const RunResult result = import(dir, {"--check", "editor@example.com"},
                                    {"editor-password-1\n", {}});

    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "users:  8 imported"));
    CHECK(result.err.empty());
}

TEST_CASE("db import-flask-security refuses to run without a salt", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result = import(dir);

    CHECK(result.exit_code == 1);
    CHECK(result.err == "mfo: error: the Flask database's hashes need "
                        "SECURITY_PASSWORD_SALT: pass --salt or set it in "
                        ".env\n");
    CHECK(is_empty(dir));
}

TEST_CASE("db import-flask-security with a wrong salt fails --check and "
          "writes nothing",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result =
        import(dir, {"--salt", "not-the-salt", "--check", "admin@example.com"},
               {"admin-password-1\n", {}});

    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "mfo: warning: no hash verified with this "
                               "salt: check SECURITY_PASSWORD_SALT"));
    CHECK(is_empty(dir));
}

TEST_CASE("db import-flask-security --check passes with the right salt",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result =
        import(dir, {k_salt_flag, "--check", "ADMIN@example.com"},
               {"admin-password-1\n", {}});

    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "check: the password of ADMIN@example.com "
                               "verified with this salt\n"));
}

TEST_CASE("db import-flask-security --check refuses a user without a "
          "usable hash",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result =
        import(dir, {k_salt_flag, "--check", "plain@example.com"},
               {"plain-password-1\n", {}});

    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "has a plaintext hash"));
    CHECK(is_empty(dir));
}

TEST_CASE("db import-flask-security --dry-run changes nothing", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    const std::string before = status(dir);

    const RunResult result = import(dir, {k_salt_flag, "--dry-run"});

    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "would import admin@example.com\n"));
    CHECK(contains(result.out, "users:  8 would be imported, 0 skipped\n"));
    CHECK(contains(result.out, "dry run: nothing was written\n"));
    CHECK(status(dir) == before);
}

TEST_CASE("db import-flask-security skips users already present and says "
          "which",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    REQUIRE(
        run_mfo(dir,
                {"user", "create", "VIEWER@example.com", "--password-stdin"},
                {"mfo-password-1\n", {}})
            .exit_code == 0);

    const RunResult result = import(dir, {k_salt_flag});

    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "users:  7 imported, 1 skipped\n"));
    CHECK(contains(result.out, "skipped user row 3 'Viewer@Example.com': a "
                               "user with this email is already in mfo\n"));
}

TEST_CASE("db import-flask-security run twice imports nobody twice", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    REQUIRE(import(dir, {k_salt_flag}).exit_code == 0);

    const RunResult again = import(dir, {k_salt_flag});

    CHECK(again.exit_code == 0);
    CHECK(contains(again.out, "users:  0 imported, 8 skipped\n"));
    CHECK(contains(status(dir), "\"users\":8"));
}

TEST_CASE("db import-flask-security --role-map renames a role", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result =
        import(dir, {k_salt_flag, "--role-map", "Admin=admin", "--role-map",
                     "viewer=audience"});

    CHECK(result.exit_code == 0);
    CHECK(contains(run_mfo(dir, {"user", "show", "admin@example.com"}).out,
                   "roles:         admin\n"));
    CHECK(contains(run_mfo(dir, {"user", "show", "editor@example.com"}).out,
                   "roles:         audience, editor\n"));
}

TEST_CASE("db import-flask-security --role-map of an unknown role is "
          "refused",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result =
        import(dir, {k_salt_flag, "--role-map", "Admins=admin"});

    CHECK(result.exit_code == 2);
    CHECK(result.err == "mfo: error: --role-map: the Flask database has no "
                        "role 'Admins'\n");
    CHECK(is_empty(dir));
}

TEST_CASE("db import-flask-security refuses a --salt other than the "
          "configured pepper",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    dir.write(".env", "SECURITY_PASSWORD_SALT=the-configured-salt\n");

    const RunResult result = import(dir, {k_salt_flag});

    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "--salt differs from the configured "
                               "password_pepper"));
    CHECK(is_empty(dir));
}

TEST_CASE("db import-flask-security with --salt and no pepper says to "
          "configure it",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result = import(dir, {k_salt_flag});

    CHECK(result.exit_code == 0);
    CHECK(contains(result.err, "mfo: warning: set password_pepper (or "
                               "SECURITY_PASSWORD_SALT in .env)"));
}

TEST_CASE("db import-flask-security refuses a file that is not a database",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    dir.write("users.txt", "email,password\na@example.org,secret\n");

    const RunResult result = run_mfo(
        dir, {"db", "import-flask-security", "users.txt", "--salt", "s"});

    CHECK(result.exit_code == 1);
    CHECK(result.err == "mfo: error: 'users.txt' is not an SQLite database\n");
    CHECK(is_empty(dir));
}

TEST_CASE("db import-flask-security refuses a database without FST's "
          "tables",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result =
        run_mfo(dir, {"db", "import-flask-security", "mfo.db", "--salt", "s"});

    CHECK(result.exit_code == 1);
    CHECK(result.err == "mfo: error: 'mfo.db' is not a Flask-Security "
                        "database: it has no table 'user'\n");
    CHECK(is_empty(dir));
}

TEST_CASE("db import-flask-security of a missing file fails and creates "
          "nothing",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result = run_mfo(
        dir, {"db", "import-flask-security", "flask.db", "--salt", "s"});

    CHECK(result.exit_code == 1);
    CHECK(result.err ==
          "mfo: error: Flask database 'flask.db' does not exist\n");
    CHECK_FALSE(std::filesystem::exists(dir.file("flask.db")));
}

TEST_CASE("db import-flask-security names each bad row and writes nothing",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    const std::string copy = dir.file("flask.db");
    std::filesystem::copy_file(fst_fixture_path(), copy);
    SQLite::Database(copy, SQLite::OPEN_READWRITE)
        .exec("UPDATE user SET email = 'nobody' WHERE id = 7");

    const RunResult result =
        run_mfo(dir, {"db", "import-flask-security", "flask.db", k_salt_flag});

    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "mfo: error: user row 7: email 'nobody' is "
                               "not valid: "));
    CHECK(contains(result.err, "mfo: error: 1 row(s) of the Flask database "
                               "cannot be imported; nothing was written\n"));
    CHECK(is_empty(dir));
}
