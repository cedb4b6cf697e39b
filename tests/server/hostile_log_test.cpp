#include "tests/server/test_site.hpp"

#include <catch2/catch.hpp>
#include <regex>

using namespace mfo;
using mfo::test::Browser;
using mfo::test::TestSite;

namespace {

// Lines of the site's log that contain `text`.
std::vector<std::string> lines_with(const TestSite& site,
                                    const std::string& text)
{
    std::vector<std::string> found;
    for (const std::string& line : site.log_lines()) {
        if (line.find(text) != std::string::npos) {
            found.push_back(line);
        }
    }
    return found;
}

bool is_event_line(const std::string& line, const std::string& event,
                   const std::string& email)
{
    static const std::regex k_utc_time(
        R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (info|warn) )");
    return std::regex_search(line, k_utc_time) &&
           line.find(event) != std::string::npos &&
           line.find("email=" + email) != std::string::npos &&
           line.find("address=127.0.0.1") != std::string::npos;
}

std::size_t count_events(const TestSite& site, const std::string& event,
                         const std::string& email)
{
    std::size_t count = 0;
    for (const std::string& line : site.log_lines()) {
        count += is_event_line(line, event, email) ? 1 : 0;
    }
    return count;
}

} // namespace

TEST_CASE("log has one line per login success, failure, 403, CSRF failure "
          "and throttle hit",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    Browser user(site);
    user.log_in(test::k_user_email, "wrong-password-1");
    CHECK(count_events(site, "login failed", test::k_user_email) == 1);
    user.log_in(test::k_user_email, test::k_user_password);
    CHECK(count_events(site, "login succeeded", test::k_user_email) == 1);
    REQUIRE(user.get("/admin")->status == 403);
    CHECK(count_events(site, "forbidden path=/admin", test::k_user_email) == 1);
    user.post("/logout", {{"csrf_token", "forged"}});
    CHECK(count_events(site, "csrf check failed", test::k_user_email) == 1);

    Browser guesser(site);
    for (int i = 0; i < 6; ++i) {
        guesser.log_in("victim@example.com", "guess-" + std::to_string(i));
    }
    CHECK(count_events(site, "login throttled", "victim@example.com") == 1);
}

TEST_CASE("log and error pages never show passwords, session ids or tokens",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    const std::string wrong = "Wrong-Distinctive-Pw-7781";
    const std::string fresh = "Fresh-Distinctive-Pw-9134";
    Browser browser(site);
    const httplib::Result failed = browser.log_in(test::k_user_email, wrong);
    REQUIRE(failed->status == 200);
    CHECK(failed->body.find(wrong) == std::string::npos);
    browser.log_in(test::k_user_email, test::k_user_password);
    const std::string session = browser.cookies["mfo_session"];
    const std::string csrf_cookie = browser.cookies["mfo_csrf"];
    const std::string token = browser.logout_token("/account");
    REQUIRE(session.size() == 43);
    REQUIRE(token.size() == 43);
    browser.post("/account/password",
                 {{"current_password", test::k_user_password},
                  {"new_password", fresh},
                  {"new_password_confirm", fresh},
                  {"csrf_token", token}});
    const httplib::Result refused =
        browser.post("/account/password", {{"current_password", fresh},
                                           {"new_password", wrong},
                                           {"new_password_confirm", wrong},
                                           {"csrf_token", "forged-token"}});
    REQUIRE(refused->status == 400);
    CHECK(refused->body.find(wrong) == std::string::npos);
    CHECK(refused->body.find("forged-token") == std::string::npos);

    const std::string secret =
        site.open_store().meta("secret_key").value_or("none");
    REQUIRE_FALSE(site.log_lines().empty());
    for (const std::string& line : site.log_lines()) {
        INFO(line);
        for (const std::string& hidden :
             {wrong, fresh, std::string(test::k_user_password), session,
              csrf_cookie, token, secret, std::string("$argon2")}) {
            CHECK(line.find(hidden) == std::string::npos);
        }
    }
}

TEST_CASE("log escapes control characters sent by the client",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    browser.log_in("evil\r\n2024-01-01T00:00:00Z info login succeeded "
                   "\x1b[31m@example.com",
                   "wrong-password-1");
    const std::vector<std::string> lines = lines_with(site, "login failed");
    REQUIRE(lines.size() == 1);
    const std::string& line = lines.front();
    CHECK(line.find("evil\\x0d\\x0a2024") != std::string::npos);
    CHECK(line.find("\\x1b[31m") != std::string::npos);
    CHECK(line.find_first_of("\r\n\x1b") == std::string::npos);
    // The forged entry stays inside the one escaped line.
    CHECK(lines_with(site, "login succeeded").size() == 1);
}
