#include "core/flask_import.hpp"
#include "tests/server/test_site.hpp"
#include "tests/support/fst_fixture.hpp"

#include <catch2/catch.hpp>

using namespace mfo;
using mfo::test::Browser;
using mfo::test::FstFixtureUser;
using mfo::test::TestSite;

namespace {

// A site holding the FST users instead of its own admin, whose email the
// fixture shares; the site's "admin" role stays, for --role-map to merge.
void import_into(TestSite& site, const std::string& fst_path,
                 const core::RoleMap& role_map = {})
{
    core::Store store = site.open_store();
    store.delete_user(test::k_admin_email);
    const core::FstDatabase fst = core::read_fst_database(fst_path, role_map);
    core::import_fst_database(store, fst, false);
}

bool logs_in(const TestSite& site, const std::string& email,
             const std::string& password)
{
    Browser browser(site);
    const httplib::Result result = browser.log_in(email, password);
    return result && result->status == 303;
}

bool has_fst_hash(const FstFixtureUser& user)
{
    return user.kind == "argon2" || user.kind == "bcrypt";
}

// Each FST user with a usable hash logs in with the original password,
// and from then on holds an mfo hash that still lets them in.
void check_logins_and_upgrades(TestSite& site)
{
    for (const FstFixtureUser& user : test::fst_fixture_users()) {
        if (!has_fst_hash(user) || !user.is_active) {
            continue;
        }
        INFO(user.email);
        CHECK(logs_in(site, user.email, user.password));
        const core::User stored =
            *site.open_store().find_user_by_email(user.email);
        CHECK(stored.password.scheme == core::k_scheme_argon2id_hmac);
        CHECK(stored.password.hash.rfind("$argon2id$", 0) == 0);
        CHECK(logs_in(site, user.email, user.password));
    }
}

} // namespace

TEST_CASE("imported FST users log in with their password and get an mfo "
          "hash",
          "[server]")
{
    TestSite site;
    site.config.password_pepper = test::k_fst_fixture_salt;
    import_into(site, test::fst_fixture_path());
    site.start();

    check_logins_and_upgrades(site);
}

TEST_CASE("imported users without a usable hash or inactive cannot log in",
          "[server]")
{
    TestSite site;
    site.config.password_pepper = test::k_fst_fixture_salt;
    import_into(site, test::fst_fixture_path());
    site.start();

    CHECK_FALSE(logs_in(site, "inactive@example.com", "inactive-password-1"));
    CHECK_FALSE(logs_in(site, "plain@example.com", "plain-password-1"));
    CHECK_FALSE(logs_in(site, "legacy@example.com", "legacy-password-1"));
}

TEST_CASE("with a wrong salt configured no imported user can log in",
          "[server]")
{
    TestSite site;
    site.config.password_pepper = "not-the-flask-salt";
    import_into(site, test::fst_fixture_path());
    site.start();

    for (const FstFixtureUser& user : test::fst_fixture_users()) {
        if (has_fst_hash(user) && user.is_active) {
            INFO(user.email);
            CHECK_FALSE(logs_in(site, user.email, user.password));
        }
    }
    const core::User admin =
        *site.open_store().find_user_by_email("admin@example.com");
    CHECK(admin.password.scheme == core::k_scheme_fst_argon2);
}

TEST_CASE("an FST Admin mapped to admin opens the admin page", "[server]")
{
    TestSite site;
    site.config.password_pepper = test::k_fst_fixture_salt;
    import_into(site, test::fst_fixture_path(), {{"Admin", "admin"}});
    site.start();
    Browser admin(site);
    Browser editor(site);

    REQUIRE(admin.log_in("admin@example.com", "admin-password-1")->status ==
            303);
    REQUIRE(editor.log_in("editor@example.com", "editor-password-1")->status ==
            303);

    CHECK(admin.get("/admin")->status == 200);
    CHECK(editor.get("/admin")->status == 403);
}

TEST_CASE("a database Flask-Security-Too makes now imports and its users "
          "log in",
          "[server]")
{
    const test::TempDir generated;
    const std::string path = test::generate_fst_fixture(generated);
    if (path.empty()) {
        WARN("skipped: /usr/bin/python3 with python3-flask-security is not "
             "installed (scripts/install-deps.sh test installs it)");
        return;
    }
    TestSite site;
    site.config.password_pepper = test::k_fst_fixture_salt;
    import_into(site, path);
    site.start();

    check_logins_and_upgrades(site);
}
