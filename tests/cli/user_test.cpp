#include "tests/support/run_mfo.hpp"

#include <catch2/catch.hpp>

using namespace mfo::test;

namespace {

RunResult create_user(const TempDir& dir, const std::string& email,
                      std::vector<std::string> extra = {})
{
    std::vector<std::string> args{"user", "create", email, "--password-stdin"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_mfo(dir, args, {"a-long-password\n", {}});
}

} // namespace

TEST_CASE("user create with a role shows up in user show", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    REQUIRE(run_mfo(dir, {"role", "create", "admin"}).exit_code == 0);

    const RunResult created =
        create_user(dir, "Admin@Example.org", {"--role", "admin"});
    const RunResult shown =
        run_mfo(dir, {"user", "show", "admin@example.org", "--json"});

    CHECK(created.exit_code == 0);
    CHECK(contains(created.out, "created user Admin@Example.org"));
    CHECK(shown.exit_code == 0);
    CHECK(contains(shown.out, "\"email\":\"Admin@Example.org\""));
    CHECK(contains(shown.out, "\"roles\":[\"admin\"]"));
    CHECK(contains(shown.out, "\"active\":true"));
    CHECK_FALSE(contains(shown.out, "$argon2"));
}

TEST_CASE("user create refuses an email taken in another letter case", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    REQUIRE(create_user(dir, "dj@example.org").exit_code == 0);

    const RunResult again = create_user(dir, "DJ@EXAMPLE.ORG");

    CHECK(again.exit_code == 1);
    CHECK(contains(again.err, "already exists"));
}

TEST_CASE("user create refuses a bad email as a usage error", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    for (const char* email :
         {"no-at-sign", "two@@example.org", "space in@example.org", "a@b@c"}) {
        const RunResult result = create_user(dir, email);
        CHECK(result.exit_code == 2);
        CHECK(result.err.rfind("mfo: error: invalid email", 0) == 0);
    }
    CHECK(contains(run_mfo(dir, {"user", "list", "--json"}).out, "[]"));
}

TEST_CASE("user create refuses a short password and creates nothing", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result =
        run_mfo(dir, {"user", "create", "a@example.org", "--password-stdin"},
                {"short\n", {}});

    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "at least 8 characters"));
    CHECK(run_mfo(dir, {"user", "show", "a@example.org"}).exit_code == 1);
}

TEST_CASE("user create with an unknown role fails and creates nothing", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result =
        create_user(dir, "a@example.org", {"--role", "ghost"});

    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "role 'ghost' does not exist"));
    CHECK(run_mfo(dir, {"user", "show", "a@example.org"}).exit_code == 1);
}

TEST_CASE("user create without a terminal asks for a password source", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result = run_mfo(dir, {"user", "create", "a@example.org"});

    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "--password-stdin"));
}

TEST_CASE("a generated password is printed once and never stored in clear",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result = run_mfo(
        dir, {"user", "create", "a@example.org", "--generate-password"});

    CHECK(result.exit_code == 0);
    const std::string marker = "generated password (shown once): ";
    const size_t at = result.out.find(marker);
    REQUIRE(at != std::string::npos);
    const std::string password = result.out.substr(at + marker.size(), 20);
    CHECK(password.size() == 20);
    CHECK_FALSE(
        contains(run_mfo(dir, {"user", "show", "a@example.org", "--json"}).out,
                 password));
}

TEST_CASE("a password given as an argument is not accepted", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult result = run_mfo(
        dir, {"user", "create", "a@example.org", "--password", "secret-123"});

    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "--password"));
    CHECK_FALSE(contains(result.err, "secret-123"));
}

TEST_CASE("user list filters by role and prints JSON", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    run_mfo(dir, {"role", "create", "crew"});
    create_user(dir, "one@example.org", {"--role", "crew"});
    create_user(dir, "two@example.org");

    const RunResult all = run_mfo(dir, {"user", "list", "--json"});
    const RunResult crew =
        run_mfo(dir, {"user", "list", "--role", "crew", "--json"});

    CHECK(contains(all.out, "one@example.org"));
    CHECK(contains(all.out, "two@example.org"));
    CHECK(contains(crew.out, "one@example.org"));
    CHECK_FALSE(contains(crew.out, "two@example.org"));
    CHECK(crew.out.front() == '[');
}

TEST_CASE("user deactivate and activate are idempotent", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    create_user(dir, "a@example.org");

    const RunResult first =
        run_mfo(dir, {"user", "deactivate", "a@example.org"});
    const RunResult second =
        run_mfo(dir, {"user", "deactivate", "a@example.org"});
    const RunResult shown =
        run_mfo(dir, {"user", "show", "a@example.org", "--json"});

    CHECK(first.exit_code == 0);
    CHECK(contains(first.out, "is now inactive"));
    CHECK(second.exit_code == 0);
    CHECK(contains(second.out, "already inactive"));
    CHECK(contains(shown.out, "\"active\":false"));
    CHECK(contains(run_mfo(dir, {"user", "activate", "a@example.org"}).out,
                   "is now active"));
}

TEST_CASE("user passwd and reset-access rotate nothing visible but succeed",
          "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    create_user(dir, "a@example.org");

    const RunResult passwd =
        run_mfo(dir, {"user", "passwd", "a@example.org", "--password-stdin"},
                {"another-password\n", {}});
    const RunResult reset =
        run_mfo(dir, {"user", "reset-access", "a@example.org"});

    CHECK(passwd.exit_code == 0);
    CHECK(reset.exit_code == 0);
    CHECK(contains(reset.out, "every session has ended"));
}

TEST_CASE("commands on an unknown user fail with exit 1", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    for (const char* command :
         {"show", "activate", "deactivate", "reset-access", "delete"}) {
        const RunResult result =
            run_mfo(dir, {"user", command, "ghost@example.org"});
        CHECK(result.exit_code == 1);
        CHECK(contains(result.err, "user 'ghost@example.org' does not exist"));
    }
}

TEST_CASE("user delete removes the user", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    create_user(dir, "a@example.org");

    CHECK(run_mfo(dir, {"user", "delete", "A@example.org"}).exit_code == 0);
    CHECK(run_mfo(dir, {"user", "show", "a@example.org"}).exit_code == 1);
}
