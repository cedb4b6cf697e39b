#include "tests/support/run_mfo.hpp"

#include <catch2/catch.hpp>

using namespace mfo::test;

namespace {

void create_user(const TempDir& dir, const std::string& email)
{
    REQUIRE(run_mfo(dir, {"user", "create", email, "--password-stdin"},
                    {"a-long-password\n", {}})
                .exit_code == 0);
}

} // namespace

TEST_CASE("role create with permissions is listed as JSON", "[cli]")
{
    const TempDir dir;
    init_instance(dir);

    const RunResult created =
        run_mfo(dir, {"role", "create", "crew", "--description", "Stage crew",
                      "-p", "stage.edit", "-p", "stage.view"});
    const RunResult listed = run_mfo(dir, {"role", "list", "--json"});

    CHECK(created.exit_code == 0);
    CHECK(contains(listed.out, "{\"name\":\"crew\",\"description\":\"Stage "
                               "crew\",\"permissions\":[\"stage.edit\","
                               "\"stage.view\"],\"users\":0}"));
}

TEST_CASE("role create refuses a taken name and a bad name", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    run_mfo(dir, {"role", "create", "crew"});

    const RunResult taken = run_mfo(dir, {"role", "create", "crew"});
    const RunResult bad = run_mfo(dir, {"role", "create", "bad name"});

    CHECK(taken.exit_code == 1);
    CHECK(contains(taken.err, "already exists"));
    CHECK(bad.exit_code == 2);
}

TEST_CASE("role grant is idempotent and says so", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    run_mfo(dir, {"role", "create", "crew"});
    create_user(dir, "a@example.org");

    const RunResult first =
        run_mfo(dir, {"role", "grant", "crew", "a@example.org"});
    const RunResult second =
        run_mfo(dir, {"role", "grant", "crew", "A@EXAMPLE.ORG"});

    CHECK(first.exit_code == 0);
    CHECK(contains(first.out, "now has role crew"));
    CHECK(second.exit_code == 0);
    CHECK(contains(second.out, "already had role crew"));
}

TEST_CASE("role revoke removes the link", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    run_mfo(dir, {"role", "create", "crew"});
    create_user(dir, "a@example.org");
    run_mfo(dir, {"role", "grant", "crew", "a@example.org"});

    const RunResult revoked =
        run_mfo(dir, {"role", "revoke", "crew", "a@example.org"});

    CHECK(revoked.exit_code == 0);
    CHECK(
        contains(run_mfo(dir, {"user", "show", "a@example.org", "--json"}).out,
                 "\"roles\":[]"));
}

TEST_CASE("role delete removes it from its users", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    run_mfo(dir, {"role", "create", "crew"});
    create_user(dir, "a@example.org");
    run_mfo(dir, {"role", "grant", "crew", "a@example.org"});

    CHECK(run_mfo(dir, {"role", "delete", "crew"}).exit_code == 0);
    CHECK(
        contains(run_mfo(dir, {"user", "show", "a@example.org", "--json"}).out,
                 "\"roles\":[]"));
    CHECK(run_mfo(dir, {"role", "delete", "crew"}).exit_code == 1);
}

TEST_CASE("role permissions can be added and removed", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    run_mfo(dir, {"role", "create", "crew"});

    const RunResult added =
        run_mfo(dir, {"role", "add-permission", "crew", "a.read", "b.write"});
    const RunResult removed =
        run_mfo(dir, {"role", "remove-permission", "crew", "a.read"});
    const RunResult shown = run_mfo(dir, {"role", "show", "crew", "--json"});

    CHECK(added.exit_code == 0);
    CHECK(removed.exit_code == 0);
    CHECK(contains(shown.out, "\"permissions\":[\"b.write\"]"));
}

TEST_CASE("grant of an unknown role or user fails with exit 1", "[cli]")
{
    const TempDir dir;
    init_instance(dir);
    run_mfo(dir, {"role", "create", "crew"});
    create_user(dir, "a@example.org");

    CHECK(run_mfo(dir, {"role", "grant", "ghost", "a@example.org"}).exit_code ==
          1);
    CHECK(run_mfo(dir, {"role", "grant", "crew", "ghost@example.org"})
              .exit_code == 1);
}
