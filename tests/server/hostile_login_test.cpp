#include "server/throttle.hpp"
#include "tests/server/test_site.hpp"

#include <catch2/catch.hpp>
#include <regex>

using namespace mfo;
using namespace std::chrono_literals;
using mfo::server::LoginThrottle;
using mfo::test::Browser;
using mfo::test::TestSite;

namespace {

using Clock = std::chrono::steady_clock;

struct Attempt {
    int status = 0;
    std::string body;
    Clock::duration took{};
};

// One login POST from a browser that already holds a login form.
Attempt attempt(Browser& browser, const std::string& email,
                const std::string& password)
{
    const std::string token =
        test::input_value(browser.get("/login")->body, "csrf_token");
    const Clock::time_point start = Clock::now();
    const httplib::Result result = browser.post(
        "/login",
        {{"email", email}, {"password", password}, {"csrf_token", token}});
    return {result ? result->status : 0, result ? result->body : "",
            Clock::now() - start};
}

int post_with_forwarded_for(const TestSite& site, const std::string& email,
                            const std::string& forwarded_for)
{
    httplib::Client client("127.0.0.1", site.port());
    const httplib::Result form = client.Get("/login");
    const std::string set_cookie = form->get_header_value("Set-Cookie");
    const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
    const std::string body = test::encode_form(
        {{"email", email},
         {"password", "wrong-password-1"},
         {"csrf_token", test::input_value(form->body, "csrf_token")}});
    const httplib::Result result = client.Post(
        "/login", {{"Cookie", cookie}, {"X-Forwarded-For", forwarded_for}},
        body, "application/x-www-form-urlencoded");
    return result ? result->status : 0;
}

// Each login on an account that does not exist costs a full dummy hash at
// this cost: about a quarter of a second here.
void use_slow_hash(TestSite& site)
{
    site.config.argon2_memory_kib = 128 * 1024;
    site.config.argon2_iterations = 3;
}

std::vector<int> failure_statuses(const std::string& email)
{
    TestSite site;
    site.start();
    Browser browser(site);
    std::vector<int> statuses;
    for (int i = 0; i < 7; ++i) {
        statuses.push_back(attempt(browser, email, "wrong-password-1").status);
    }
    return statuses;
}

} // namespace

TEST_CASE("login throttle answers before any password hash is computed",
          "[server][hostile]")
{
    TestSite site;
    use_slow_hash(site);
    site.start();
    Browser browser(site);
    const Attempt hashed = attempt(browser, "victim@example.com", "guess-1");
    REQUIRE(hashed.status == 200);
    // Over-long passwords fail without hashing and still count.
    const std::string over_long(site.config.password_max_length + 1, 'x');
    for (int i = 0; i < 5; ++i) {
        attempt(browser, "victim@example.com", over_long);
    }
    const Attempt throttled = attempt(browser, "victim@example.com", "guess-2");
    CHECK(throttled.status == 429);
    CHECK(throttled.took * 3 < hashed.took);
}

TEST_CASE("login refuses an over-long password before hashing it",
          "[server][hostile]")
{
    TestSite site;
    use_slow_hash(site);
    site.start();
    Browser browser(site);
    const Attempt hashed = attempt(browser, "victim@example.com", "guess-1");
    // httplib itself refuses urlencoded bodies over 8 KiB with 413.
    const Attempt over_long =
        attempt(browser, "victim@example.com", std::string(4000, 'x'));
    CHECK(over_long.status == 200);
    CHECK(over_long.body.find("Invalid email or password.") !=
          std::string::npos);
    CHECK(over_long.took * 3 < hashed.took);
}

TEST_CASE("login throttle treats unknown emails exactly like known ones",
          "[server][hostile]")
{
    const std::vector<int> known = failure_statuses(test::k_user_email);
    const std::vector<int> unknown = failure_statuses("nobody@example.com");
    CHECK(known == unknown);
    CHECK(known.front() == 200);
    CHECK(known.back() == 429);

    TestSite site;
    site.start();
    Browser browser(site);
    Attempt for_known = attempt(browser, "user@example.com", "wrong-pass-1");
    Attempt for_unknown = attempt(browser, "nope@example.com", "wrong-pass-1");
    for_unknown.body =
        std::regex_replace(for_unknown.body, std::regex("nope@"), "user@");
    CHECK(for_known.status == for_unknown.status);
    CHECK(for_known.body == for_unknown.body);
}

TEST_CASE("login throttle cannot be dodged with X-Forwarded-For",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    std::vector<int> statuses;
    for (int i = 0; i < 12; ++i) {
        // A new account each time, so only the address counter can stop it.
        statuses.push_back(post_with_forwarded_for(
            site, "guess" + std::to_string(i) + "@example.com",
            "10.0.0." + std::to_string(i)));
    }
    CHECK(statuses.front() == 200);
    CHECK(statuses.back() == 429);
}

TEST_CASE("login throttle counts the forwarded address behind a trusted proxy",
          "[server][hostile]")
{
    TestSite site;
    site.config.trusted_proxy = "127.0.0.1";
    site.start();
    for (int i = 0; i < 12; ++i) {
        CHECK(post_with_forwarded_for(
                  site, "guess" + std::to_string(i) + "@example.com",
                  "1.1.1.1, 10.0.0." + std::to_string(i)) == 200);
    }
    const std::vector<std::string> lines = site.log_lines();
    const bool is_logged =
        std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
            return line.find("address=10.0.0.11") != std::string::npos;
        });
    CHECK(is_logged);
}

TEST_CASE("login throttle lets the owner back in soon after an attack stops",
          "[server][hostile]")
{
    LoginThrottle throttle;
    const Clock::time_point start = Clock::now();
    Clock::time_point now = start;
    // An hour of guessing from many addresses, one guess a second.
    for (int i = 0; i < 3600; ++i) {
        now = start + std::chrono::seconds(i);
        const std::string address = "10.0." + std::to_string(i % 200);
        if (!throttle.retry_after("owner@example.com", address, now)) {
            throttle.failed("owner@example.com", address, now);
        }
    }
    const std::optional<int> wait =
        throttle.retry_after("owner@example.com", "192.0.2.1", now);
    CHECK(wait.value_or(0) <= 60);
    CHECK_FALSE(
        throttle.retry_after("owner@example.com", "192.0.2.1", now + 61s));
}
