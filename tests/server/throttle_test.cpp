#include "server/throttle.hpp"

#include <catch2/catch.hpp>

using namespace mfo::server;
using std::chrono::seconds;

namespace {

void fail(LoginThrottle& throttle, const std::string& account,
          const std::string& address, int count,
          LoginThrottle::Clock::time_point now)
{
    for (int i = 0; i < count; ++i) {
        REQUIRE_FALSE(throttle.retry_after(account, address, now));
        throttle.failed(account, address, now);
    }
}

} // namespace

TEST_CASE("throttle refuses an account after five failures, briefly",
          "[server]")
{
    LoginThrottle throttle;
    const auto start = LoginThrottle::Clock::now();
    fail(throttle, "a@x", "1.1.1.1", 5, start);

    CHECK(throttle.retry_after("a@x", "2.2.2.2", start) == 1);
    CHECK_FALSE(throttle.retry_after("b@x", "2.2.2.2", start));
    CHECK_FALSE(throttle.retry_after("a@x", "2.2.2.2", start + seconds(2)));
}

TEST_CASE("throttle doubles the account delay up to its cap", "[server]")
{
    LoginThrottle throttle;
    auto now = LoginThrottle::Clock::now();
    fail(throttle, "a@x", "1.1.1.1", 5, now);
    for (int i = 0; i < 12; ++i) {
        now += seconds(throttle.retry_after("a@x", "8.8.8.8", now).value_or(0));
        // Distinct addresses, so only the account counter is tested.
        fail(throttle, "a@x", "9.9.9." + std::to_string(i), 1, now);
    }
    CHECK(throttle.retry_after("a@x", "8.8.8.8", now) == 60);
}

TEST_CASE("throttle success forgets the account's failures", "[server]")
{
    LoginThrottle throttle;
    const auto now = LoginThrottle::Clock::now();
    fail(throttle, "a@x", "1.1.1.1", 5, now);
    REQUIRE(throttle.retry_after("a@x", "2.2.2.2", now));
    throttle.succeeded("a@x");

    CHECK_FALSE(throttle.retry_after("a@x", "2.2.2.2", now));
}

TEST_CASE("throttle refuses an address guessing many accounts", "[server]")
{
    LoginThrottle throttle;
    const auto now = LoginThrottle::Clock::now();
    for (int i = 0; i < 10; ++i) {
        fail(throttle, "user" + std::to_string(i) + "@x", "6.6.6.6", 1, now);
    }
    CHECK(throttle.retry_after("fresh@x", "6.6.6.6", now).has_value());
    CHECK_FALSE(throttle.retry_after("fresh@x", "7.7.7.7", now));
    throttle.succeeded("user0@x");
    CHECK(throttle.retry_after("fresh@x", "6.6.6.6", now).has_value());
}

TEST_CASE("throttle forgets failures after a quiet period", "[server]")
{
    LoginThrottle throttle;
    auto now = LoginThrottle::Clock::now();
    fail(throttle, "a@x", "1.1.1.1", 4, now);
    now += seconds(3601);
    fail(throttle, "a@x", "1.1.1.1", 4, now);
    CHECK_FALSE(throttle.retry_after("a@x", "1.1.1.1", now));
}
