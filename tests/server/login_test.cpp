#include "tests/server/test_site.hpp"

#include <catch2/catch.hpp>

using namespace mfo;
using mfo::test::Browser;
using mfo::test::k_admin_email;
using mfo::test::k_admin_password;
using mfo::test::k_user_email;
using mfo::test::k_user_password;
using mfo::test::TestSite;

namespace {

std::string location(const httplib::Result& result)
{
    return result ? result->get_header_value("Location") : "";
}

std::string login_with_next(TestSite& site, const std::string& next)
{
    Browser browser(site);
    return location(browser.submit("/login", "/login",
                                   {{"email", k_user_email},
                                    {"password", k_user_password},
                                    {"next", next}}));
}

std::string set_cookie_for(const httplib::Result& result,
                           const std::string& name)
{
    const auto [first, last] = result->headers.equal_range("Set-Cookie");
    for (auto it = first; it != last; ++it) {
        if (it->second.starts_with(name + "=")) {
            return it->second;
        }
    }
    return {};
}

} // namespace

TEST_CASE("a protected page redirects an anonymous visitor to login",
          "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const httplib::Result account = browser.get("/account");
    REQUIRE(account);
    CHECK(account->status == 302);
    // httplib's client percent-decodes header values as it reads them, so
    // the encoded "next=%2Faccount" arrives here decoded.
    CHECK(location(account) == "/login?next=/account");
    CHECK(location(browser.get("/admin?after=50")) ==
          "/login?next=/admin?after=50");
}

TEST_CASE("login form carries next to the local page after success", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const httplib::Result form = browser.get("/login?next=%2Fadmin");
    REQUIRE(form);
    CHECK(test::input_value(form->body, "next") == "/admin");

    const httplib::Result result = browser.post(
        "/login",
        {{"email", k_admin_email},
         {"password", k_admin_password},
         {"next", "/admin"},
         {"csrf_token", test::input_value(form->body, "csrf_token")}});
    REQUIRE(result);
    CHECK(result->status == 303);
    CHECK(location(result) == "/admin");
    CHECK(browser.get("/admin")->status == 200);
}

TEST_CASE("login ignores a next that leaves the site", "[server]")
{
    TestSite site;
    site.start();
    const char* hostile[] = {"//evil.example/",        "/\\evil.example",
                             "https://evil.example/",  "javascript:alert(1)",
                             "/ok\r\nSet-Cookie: a=b", "\\\\evil.example"};
    for (const char* next : hostile) {
        INFO(next);
        CHECK(login_with_next(site, next) == "/account");
    }
}

TEST_CASE("login answers an unknown email like a wrong password", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const httplib::Result unknown = browser.submit(
        "/login", "/login",
        {{"email", "nobody@example.com"}, {"password", "whatever-1"}});
    const httplib::Result wrong = browser.submit(
        "/login", "/login", {{"email", k_user_email}, {"password", "nope-1"}});
    REQUIRE(unknown);
    REQUIRE(wrong);
    CHECK(unknown->status == wrong->status);
    CHECK(unknown->body.find("Invalid email or password.") !=
          std::string::npos);
    CHECK(wrong->body.find("Invalid email or password.") != std::string::npos);
    CHECK(browser.cookies.count("mfo_session") == 0);
}

TEST_CASE("an inactive user cannot log in", "[server]")
{
    TestSite site;
    site.open_store().set_active(k_user_email, false);
    site.start();
    Browser browser(site);
    const httplib::Result result =
        browser.log_in(k_user_email, k_user_password);
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(result->body.find("Invalid email or password.") != std::string::npos);
    CHECK(browser.cookies.count("mfo_session") == 0);
}

TEST_CASE("login without a CSRF token is refused with 400", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.get("/login"));
    const httplib::Result result = browser.post(
        "/login", {{"email", k_user_email}, {"password", k_user_password}});
    REQUIRE(result);
    CHECK(result->status == 400);
    CHECK(result->body.find("class=\"nav\"") != std::string::npos);
    CHECK(browser.cookies.count("mfo_session") == 0);
}

TEST_CASE("login with a wrong CSRF token is refused with 400", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.get("/login"));
    const httplib::Result result =
        browser.post("/login", {{"email", k_user_email},
                                {"password", k_user_password},
                                {"csrf_token", std::string(43, 'A')}});
    REQUIRE(result);
    CHECK(result->status == 400);
    CHECK(browser.cookies.count("mfo_session") == 0);
    CHECK(site.open_store().find_user_by_email(k_user_email)->login_count == 0);
}

TEST_CASE("login updates the trackable fields", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(k_user_email, k_user_password)->status == 303);
    const core::User user = *site.open_store().find_user_by_email(k_user_email);
    CHECK(user.login_count == 1);
    CHECK(user.current_login_ip == "127.0.0.1");
    const httplib::Result account = browser.get("/account");
    REQUIRE(account);
    CHECK(account->body.find("127.0.0.1") != std::string::npos);
}

TEST_CASE("the session cookie is HttpOnly and lasts only with remember me",
          "[server]")
{
    TestSite site;
    site.start();
    Browser plain(site);
    const std::string session = set_cookie_for(
        plain.log_in(k_user_email, k_user_password), "mfo_session");
    CHECK(session.find("HttpOnly") != std::string::npos);
    CHECK(session.find("SameSite=Lax") != std::string::npos);
    CHECK(session.find("Max-Age") == std::string::npos);
    CHECK(session.find("Secure") == std::string::npos);

    Browser remembered(site);
    const std::string persistent = set_cookie_for(
        remembered.log_in(k_user_email, k_user_password, true), "mfo_session");
    CHECK(persistent.find("Max-Age=2592000") != std::string::npos);
}

TEST_CASE("login always issues a new session id", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const std::string token =
        test::input_value(browser.get("/login")->body, "csrf_token");
    const std::vector<std::pair<std::string, std::string>> fields = {
        {"email", k_user_email},
        {"password", k_user_password},
        {"csrf_token", token}};
    REQUIRE(browser.post("/login", fields)->status == 303);
    const std::string first = browser.cookies.at("mfo_session");
    Browser thief(site);
    thief.cookies["mfo_session"] = first;

    REQUIRE(browser.post("/login", fields)->status == 303);
    CHECK(browser.cookies.at("mfo_session") != first);
    CHECK(thief.get("/account")->status == 302);
    CHECK(browser.get("/account")->status == 200);
}

TEST_CASE("a logged out session cookie replayed later is anonymous", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(k_user_email, k_user_password));
    const std::string copy = browser.cookies.at("mfo_session");
    const httplib::Result logout =
        browser.post("/logout", {{"csrf_token", browser.logout_token()}});
    REQUIRE(logout);
    CHECK(logout->status == 303);
    CHECK(browser.cookies.count("mfo_session") == 0);

    Browser replay(site);
    replay.cookies["mfo_session"] = copy;
    CHECK(replay.get("/account")->status == 302);
}

TEST_CASE("logout without the session's CSRF token keeps the session",
          "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(k_user_email, k_user_password));
    const httplib::Result result =
        browser.post("/logout", {{"csrf_token", "forged-forged-forged"}});
    REQUIRE(result);
    CHECK(result->status == 400);
    CHECK(browser.get("/account")->status == 200);
}

TEST_CASE("repeated failed logins are answered 429 with Retry-After",
          "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    for (int i = 0; i < 5; ++i) {
        REQUIRE(browser.log_in(k_user_email, "wrong-password")->status == 200);
    }
    const httplib::Result refused =
        browser.log_in(k_user_email, k_user_password);
    REQUIRE(refused);
    CHECK(refused->status == 429);
    CHECK(std::stoi(refused->get_header_value("Retry-After")) >= 1);
    CHECK(browser.cookies.count("mfo_session") == 0);
}

TEST_CASE("the log names failed logins but never the password", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(k_user_email, "secret-guess-42"));
    bool has_failure = false;
    for (const std::string& line : site.log_lines()) {
        CHECK(line.find("secret-guess-42") == std::string::npos);
        if (line.find("login failed email=user@example.com") !=
            std::string::npos) {
            has_failure = true;
        }
    }
    CHECK(has_failure);
}

TEST_CASE("login replaces a hash made with an outdated cost", "[server]")
{
    TestSite site;
    const core::PasswordHasher older(
        core::HashCost{3, core::k_minimum_cost.memory_kib}, "");
    const core::User user = *site.open_store().find_user_by_email(k_user_email);
    site.open_store().upgrade_password_hash(user.id,
                                            older.hash(k_user_password));
    site.start();

    REQUIRE(Browser(site).log_in(k_user_email, k_user_password)->status == 303);
    const core::User after = *site.open_store().find_user(user.id);
    CHECK(after.password.hash.find("t=2") != std::string::npos);
    CHECK(Browser(site).log_in(k_user_email, k_user_password)->status == 303);
}
