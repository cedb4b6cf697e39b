#include "core/error.hpp"
#include "tests/server/test_site.hpp"

#include <SQLiteCpp/Database.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

using namespace mfo;
using mfo::test::Browser;
using mfo::test::TestSite;

TEST_CASE("server start refuses an uninitialized database", "[server]")
{
    TestSite site;
    site.config.database_path = site.dir.file("missing.db");
    CHECK_THROWS_AS(site.start(), core::Error);
}

TEST_CASE("server start refuses to run without a secret key", "[server]")
{
    TestSite site;
    site.open_store().database().exec(
        "DELETE FROM meta WHERE key = 'secret_key'");
    CHECK_THROWS_WITH(site.start(), Catch::Contains("no secret key"));
}

TEST_CASE("server start reports a port that is already in use", "[server]")
{
    TestSite first;
    first.start();
    TestSite second;
    second.config.port = first.port();
    CHECK_THROWS_WITH(second.start(), Catch::Contains("already in use"));
}

TEST_CASE("server start refuses a template override that does not parse",
          "[server]")
{
    TestSite site;
    site.dir.write("home.mustache", "{{#open}} never closed");
    site.config.templates_dir = site.dir.path().string();
    CHECK_THROWS_WITH(site.start(), Catch::Contains("home"));
}

TEST_CASE("healthz answers ok as plain text", "[server]")
{
    TestSite site;
    site.start();
    const httplib::Result result = Browser(site).get("/healthz");
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(result->body == "ok");
    CHECK(result->get_header_value("Content-Type").starts_with("text/plain"));
}

TEST_CASE("every response carries the security headers", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    for (const char* path : {"/", "/static/style.css", "/nowhere", "/login"}) {
        INFO(path);
        const httplib::Result result = browser.get(path);
        REQUIRE(result);
        const std::string policy =
            result->get_header_value("Content-Security-Policy");
        CHECK(policy.find("script-src 'self'") != std::string::npos);
        CHECK(policy.find("frame-ancestors 'none'") != std::string::npos);
        CHECK(policy.find("unsafe-inline") == std::string::npos);
        CHECK(result->get_header_value("X-Content-Type-Options") == "nosniff");
        CHECK(result->get_header_value("X-Frame-Options") == "DENY");
        CHECK(result->get_header_value("Referrer-Policy") == "same-origin");
    }
}

TEST_CASE("pages with forms or account data are not cached", "[server]")
{
    TestSite site;
    site.start();
    CHECK(Browser(site).get("/login")->get_header_value("Cache-Control") ==
          "no-store");
    Browser browser(site);
    REQUIRE(browser.log_in(test::k_admin_email, test::k_admin_password));
    for (const char* path : {"/", "/account", "/admin"}) {
        INFO(path);
        const httplib::Result result = browser.get(path);
        REQUIRE(result);
        CHECK(result->get_header_value("Cache-Control") == "no-store");
    }
}

TEST_CASE("the stylesheet is served from the binary", "[server]")
{
    TestSite site;
    site.start();
    const httplib::Result result = Browser(site).get("/static/style.css");
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(result->get_header_value("Content-Type").starts_with("text/css"));
    CHECK(result->body.find(".nav") != std::string::npos);
}

TEST_CASE("error pages are rendered inside the layout", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const httplib::Result missing = browser.get("/no/such/page");
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(missing->body.find("Page not found") != std::string::npos);
    CHECK(missing->body.find("href=\"/login\"") != std::string::npos);

    const httplib::Result logout = browser.get("/logout");
    REQUIRE(logout);
    CHECK(logout->status == 405);
    CHECK(logout->get_header_value("Allow") == "POST");
    CHECK(logout->body.find("class=\"nav\"") != std::string::npos);
}

TEST_CASE("a body over the limit is answered 413 and serving goes on",
          "[server]")
{
    TestSite site;
    site.config.max_body_bytes = 1024;
    site.start();
    httplib::Client client("127.0.0.1", site.port());
    const httplib::Result result = client.Post(
        "/login", std::string(4096, 'a'), "application/x-www-form-urlencoded");
    REQUIRE(result);
    CHECK(result->status == 413);
    CHECK(result->body.find("Request too large") != std::string::npos);
    const httplib::Result after = Browser(site).get("/");
    REQUIRE(after);
    CHECK(after->status == 200);
}

TEST_CASE("a template in the override folder replaces the built-in one",
          "[server]")
{
    TestSite site;
    site.dir.write("home.mustache", "<p>Custom home for {{title}}</p>");
    site.config.templates_dir = site.dir.path().string();
    site.start();
    Browser browser(site);

    const httplib::Result home = browser.get("/");
    REQUIRE(home);
    CHECK(home->body.find("<p>Custom home for Home</p>") != std::string::npos);
    CHECK(home->body.find("class=\"nav\"") != std::string::npos);
    const httplib::Result login = browser.get("/login");
    REQUIRE(login);
    CHECK(login->body.find("Remember me") != std::string::npos);
}

TEST_CASE("an overridden layout frames every page", "[server]")
{
    TestSite site;
    site.dir.write("layout.mustache",
                   "<body class=\"mine\">{{{content}}}</body>");
    site.config.templates_dir = site.dir.path().string();
    site.start();
    const httplib::Result missing = Browser(site).get("/missing");
    REQUIRE(missing);
    CHECK(missing->body.starts_with("<body class=\"mine\">"));
    CHECK(missing->body.find("Page not found") != std::string::npos);
}

TEST_CASE("values from users are HTML-escaped in pages", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const httplib::Result result = browser.submit(
        "/login", "/login",
        {{"email", "<script>alert(1)</script>"}, {"password", "x"}});
    REQUIRE(result);
    CHECK(result->body.find("<script>alert(1)") == std::string::npos);
    CHECK(result->body.find("&lt;script&gt;") != std::string::npos);
}

TEST_CASE("a failing request gets the 500 page and serving goes on", "[server]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    REQUIRE(browser.log_in(test::k_admin_email, test::k_admin_password));
    site.open_store().database().exec("ALTER TABLE users RENAME TO users_gone");

    const httplib::Result failed = browser.get("/admin");
    REQUIRE(failed);
    CHECK(failed->status == 500);
    CHECK(failed->body.find("Server error") != std::string::npos);
    CHECK(failed->body.find("class=\"nav\"") != std::string::npos);
    CHECK(Browser(site).get("/healthz")->status == 200);
    bool is_logged = false;
    for (const std::string& line : site.log_lines()) {
        is_logged |=
            line.find("error request failed GET /admin") != std::string::npos;
    }
    CHECK(is_logged);
}

TEST_CASE("concurrent visitors are each answered correctly", "[server]")
{
    TestSite site;
    site.start();
    Browser admin(site);
    REQUIRE(admin.log_in(test::k_admin_email, test::k_admin_password));
    const std::string cookie = admin.cookies.at("mfo_session");

    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            Browser browser(site);
            if (t % 2 == 0) {
                browser.cookies["mfo_session"] = cookie;
            }
            const std::string path = t % 2 == 0 ? "/admin" : "/";
            for (int i = 0; i < 25; ++i) {
                const httplib::Result result = browser.get(path);
                failures += !result || result->status != 200;
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    CHECK(failures == 0);
}
