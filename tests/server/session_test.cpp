#include "tests/server/test_site.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

using namespace mfo;
using mfo::test::Browser;
using mfo::test::k_user_email;
using mfo::test::k_user_password;
using mfo::test::TestSite;

TEST_CASE("a change made with the CLI ends live sessions at the next request",
          "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(k_user_email, k_user_password)->status == 303);
    REQUIRE(browser.get("/account")->status == 200);

    // A second connection, as `mfo user ...` would open while serving.
    core::Store cli = site.open_store();
    SECTION("deactivate")
    {
        cli.set_active(k_user_email, false);
    }
    SECTION("new password")
    {
        const auto user = cli.find_user_by_email(k_user_email);
        cli.set_password(user->id, site.hash("another-password-2"));
    }
    SECTION("reset access")
    {
        cli.reset_access(k_user_email);
    }

    const httplib::Result after = browser.get("/account");
    REQUIRE(after);
    CHECK(after->status == 302);
}

TEST_CASE("changing the password ends the other sessions of the user",
          "[server]")
{
    TestSite site;
    site.start();
    Browser laptop(site);
    Browser phone(site);
    REQUIRE(laptop.log_in(k_user_email, k_user_password)->status == 303);
    REQUIRE(phone.log_in(k_user_email, k_user_password)->status == 303);

    const httplib::Result changed =
        laptop.submit("/account", "/account/password",
                      {{"current_password", k_user_password},
                       {"new_password", "brand-new-password-3"},
                       {"new_password_confirm", "brand-new-password-3"}});
    REQUIRE(changed);
    CHECK(changed->status == 303);
    CHECK(changed->get_header_value("Location") == "/account?password=changed");

    CHECK(laptop.get("/account")->status == 200);
    CHECK(phone.get("/account")->status == 302);
    Browser fresh(site);
    CHECK(fresh.log_in(k_user_email, "brand-new-password-3")->status == 303);
}

TEST_CASE("changing the password requires the current one", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(k_user_email, k_user_password)->status == 303);
    const httplib::Result result =
        browser.submit("/account", "/account/password",
                       {{"current_password", "not-the-password"},
                        {"new_password", "brand-new-password-3"},
                        {"new_password_confirm", "brand-new-password-3"}});
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(result->body.find("current password is not correct") !=
          std::string::npos);
    Browser fresh(site);
    CHECK(fresh.log_in(k_user_email, k_user_password)->status == 303);
}

TEST_CASE("a password change without the CSRF token changes nothing",
          "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(k_user_email, k_user_password)->status == 303);
    const httplib::Result result =
        browser.post("/account/password",
                     {{"current_password", k_user_password},
                      {"new_password", "brand-new-password-3"},
                      {"new_password_confirm", "brand-new-password-3"}});
    REQUIRE(result);
    CHECK(result->status == 400);
    CHECK(browser.get("/account")->status == 200);
    Browser fresh(site);
    CHECK(fresh.log_in(k_user_email, k_user_password)->status == 303);
}

TEST_CASE("a session past its idle timeout is anonymous", "[server]")
{
    TestSite site;
    site.config.session_idle_timeout = 60;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(k_user_email, k_user_password)->status == 303);
    site.open_store().database().exec(
        "UPDATE sessions SET last_seen_at = last_seen_at - 120");
    CHECK(browser.get("/account")->status == 302);
}

TEST_CASE("the account page shows the user's details", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(test::k_admin_email, test::k_admin_password));
    const httplib::Result account = browser.get("/account");
    REQUIRE(account);
    CHECK(account->status == 200);
    CHECK(account->body.find("admin@example.com") != std::string::npos);
    CHECK(account->body.find("<span class=\"tag\">admin</span>") !=
          std::string::npos);
    CHECK(account->body.find("name=\"new_password_confirm\"") !=
          std::string::npos);
}

TEST_CASE("a session past its absolute lifetime is anonymous", "[server]")
{
    TestSite site;
    site.config.session_lifetime = 600;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(k_user_email, k_user_password)->status == 303);
    site.open_store().database().exec(
        "UPDATE sessions SET created_at = created_at - 1200");
    CHECK(browser.get("/account")->status == 302);
}

TEST_CASE("a remembered session outlives the idle timeout but not its "
          "own lifetime",
          "[server]")
{
    TestSite site;
    site.config.session_idle_timeout = 60;
    site.config.remember_lifetime = 3600;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(k_user_email, k_user_password, true)->status == 303);
    site.open_store().database().exec(
        "UPDATE sessions SET last_seen_at = last_seen_at - 600, "
        "created_at = created_at - 600");
    CHECK(browser.get("/account")->status == 200);

    site.open_store().database().exec(
        "UPDATE sessions SET created_at = created_at - 7200");
    CHECK(browser.get("/account")->status == 302);
}
