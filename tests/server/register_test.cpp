#include "tests/server/test_site.hpp"

#include <catch2/catch.hpp>

using namespace mfo;
using mfo::test::Browser;
using mfo::test::TestSite;

TEST_CASE("registration is 404 when it is closed", "[server]")
{
    TestSite site;
    site.config.registerable = false;
    site.start();
    Browser browser(site);
    CHECK(browser.get("/register")->status == 404);
    CHECK(browser.post("/register", {{"email", "x@example.com"}})->status ==
          404);
    CHECK(browser.get("/")->body.find("href=\"/register\"") ==
          std::string::npos);
}

TEST_CASE("registration refuses an email taken in another letter case",
          "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const httplib::Result result =
        browser.submit("/register", "/register",
                       {{"email", "USER@Example.com"},
                        {"password", "fresh-password-9"},
                        {"password_confirm", "fresh-password-9"}});
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(result->body.find("already exists") != std::string::npos);
    CHECK(site.open_store().count_users() == 2);
}

TEST_CASE("registration checks the password policy and confirmation",
          "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const httplib::Result short_password =
        browser.submit("/register", "/register",
                       {{"email", "new@example.com"},
                        {"password", "short"},
                        {"password_confirm", "short"}});
    REQUIRE(short_password);
    CHECK(short_password->body.find("alert-error") != std::string::npos);
    const httplib::Result mismatch =
        browser.submit("/register", "/register",
                       {{"email", "new@example.com"},
                        {"password", "long-enough-1"},
                        {"password_confirm", "long-enough-2"}});
    REQUIRE(mismatch);
    CHECK(mismatch->body.find("do not match") != std::string::npos);
    CHECK(site.open_store().count_users() == 2);
}

TEST_CASE("registration logs the new user in and ignores extra fields",
          "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const httplib::Result result =
        browser.submit("/register", "/register",
                       {{"email", "new@example.com"},
                        {"password", "fresh-password-9"},
                        {"password_confirm", "fresh-password-9"},
                        {"roles", "admin"}});
    REQUIRE(result);
    CHECK(result->status == 303);
    CHECK(result->get_header_value("Location") == "/account");

    const httplib::Result account = browser.get("/account");
    REQUIRE(account);
    CHECK(account->status == 200);
    CHECK(account->body.find("new@example.com") != std::string::npos);
    const auto user = site.open_store().find_user_by_email("new@example.com");
    REQUIRE(user);
    CHECK(user->roles.empty());
    CHECK(browser.get("/admin")->status == 403);
}

TEST_CASE("registration without a CSRF token creates nothing", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const httplib::Result result =
        browser.post("/register", {{"email", "new@example.com"},
                                   {"password", "fresh-password-9"},
                                   {"password_confirm", "fresh-password-9"}});
    REQUIRE(result);
    CHECK(result->status == 400);
    CHECK(site.open_store().count_users() == 2);
}
