#include "tests/server/test_site.hpp"

#include <catch2/catch.hpp>

using namespace mfo;
using mfo::test::Browser;
using mfo::test::TestSite;

namespace {

int count_of(const std::string& text, const std::string& part)
{
    int count = 0;
    for (auto at = text.find(part); at != std::string::npos;
         at = text.find(part, at + part.size())) {
        ++count;
    }
    return count;
}

void add_many_users(TestSite& site, int count)
{
    core::Store store = site.open_store();
    const core::PasswordHash hash = site.hash("filler-password-1");
    for (int i = 0; i < count; ++i) {
        core::NewUser user;
        user.email = "fan" + std::to_string(i) + "@example.com";
        user.password = hash;
        store.create_user(user);
    }
}

} // namespace

TEST_CASE("admin answers 403 to a user without the admin role", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(test::k_user_email, test::k_user_password));
    const httplib::Result result = browser.get("/admin");
    REQUIRE(result);
    CHECK(result->status == 403);
    CHECK(result->body.find("Forbidden") != std::string::npos);
    CHECK(result->body.find("href=\"/admin\"") == std::string::npos);
}

TEST_CASE("admin lists users and roles for an admin", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(test::k_admin_email, test::k_admin_password));
    const httplib::Result result = browser.get("/admin");
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(result->body.find("user@example.com") != std::string::npos);
    CHECK(result->body.find("users.read") != std::string::npos);
    CHECK(result->body.find("2 in total") != std::string::npos);
    CHECK(result->body.find("Next page") == std::string::npos);
}

TEST_CASE("admin pages through many users with a next link", "[server]")
{
    TestSite site;
    add_many_users(site, 118);
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(test::k_admin_email, test::k_admin_password));

    const httplib::Result first = browser.get("/admin");
    REQUIRE(first);
    CHECK(first->body.find("120 in total") != std::string::npos);
    CHECK(count_of(first->body, "class=\"numeric\">") == 50 + 1);
    CHECK(first->body.find("href=\"/admin?after=50\"") != std::string::npos);

    const httplib::Result third = browser.get("/admin?after=100");
    REQUIRE(third);
    CHECK(third->status == 200);
    CHECK(third->body.find("fan117@example.com") != std::string::npos);
    CHECK(third->body.find("fan97@example.com") == std::string::npos);
    CHECK(third->body.find("Next page") == std::string::npos);
}
