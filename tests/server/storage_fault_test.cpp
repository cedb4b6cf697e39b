#include "tests/server/test_site.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

using namespace mfo::test;

TEST_CASE("a write while another process holds the database lock is a 503 "
          "with Retry-After",
          "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const std::string token =
        input_value(browser.get("/register")->body, "csrf_token");
    SQLite::Database holder(site.config.database_path, SQLite::OPEN_READWRITE);
    holder.exec("BEGIN IMMEDIATE");

    // Longer than the store's busy timeout, like a stuck administrator.
    const httplib::Result result =
        browser.post("/register", {{"csrf_token", token},
                                   {"email", "late@example.com"},
                                   {"password", "fresh-password-9"},
                                   {"password_confirm", "fresh-password-9"}});
    const httplib::Result login_page = browser.get("/login");
    holder.exec("ROLLBACK");

    REQUIRE(result);
    CHECK(result->status == 503);
    CHECK(result->get_header_value("Retry-After") == "1");
    // Pages that only read keep working under the lock.
    REQUIRE(login_page);
    CHECK(login_page->status == 200);
    CHECK_FALSE(site.open_store().find_user_by_email("late@example.com"));
}
