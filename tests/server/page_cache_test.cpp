// Pages and counts kept between requests (PageCache, Store's count cache)
// must never outlive a change to the database.

#include "tests/server/test_site.hpp"

#include <catch2/catch.hpp>

using namespace mfo;
using mfo::test::Browser;
using mfo::test::TestSite;

namespace {

bool contains(const httplib::Result& result, const std::string& part)
{
    return result && result->body.find(part) != std::string::npos;
}

void add_user(TestSite& site, const std::string& email)
{
    core::Store store = site.open_store();
    core::NewUser user;
    user.email = email;
    user.password = site.hash("filler-password-1");
    store.create_user(user);
}

} // namespace

TEST_CASE("admin page shows a user the CLI added after it was served",
          "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(test::k_admin_email, test::k_admin_password));
    REQUIRE(contains(browser.get("/admin"), "2 in total"));
    REQUIRE(contains(browser.get("/admin"), "2 in total"));

    add_user(site, "late@example.com");

    const httplib::Result after = browser.get("/admin");
    CHECK(contains(after, "3 in total"));
    CHECK(contains(after, "late@example.com"));
}

TEST_CASE("account page is never served to another session", "[server]")
{
    TestSite site;
    site.start();
    Browser admin(site);
    Browser user(site);
    REQUIRE(admin.log_in(test::k_admin_email, test::k_admin_password));
    REQUIRE(user.log_in(test::k_user_email, test::k_user_password));

    for (int round = 0; round < 3; ++round) {
        CHECK(contains(admin.get("/account"), test::k_admin_email));
        const httplib::Result mine = user.get("/account");
        CHECK(contains(mine, test::k_user_email));
        CHECK_FALSE(contains(mine, test::k_admin_email));
    }
}

TEST_CASE("home page served to a visitor changes once they log in", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE_FALSE(contains(browser.get("/"), test::k_user_email));
    REQUIRE(browser.log_in(test::k_user_email, test::k_user_password));
    CHECK(contains(browser.get("/"), test::k_user_email));
}
