#include "tests/server/raw_client.hpp"
#include "tests/server/test_site.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace mfo;
using namespace std::chrono_literals;
using mfo::test::Browser;
using mfo::test::raw_exchange;
using mfo::test::raw_get;
using mfo::test::RawConnection;
using mfo::test::RawResponse;
using mfo::test::TestSite;

namespace {

using Clock = std::chrono::steady_clock;

bool is_client_error(int status)
{
    return status >= 400 && status < 500;
}

// A plain request on a new connection is answered 200 within a second.
bool is_serving(const TestSite& site)
{
    return raw_exchange(site.port(), raw_get("/healthz"), 1s).status == 200;
}

std::string raw_post(std::string_view target, std::string_view body,
                     std::string_view headers = {})
{
    return "POST " + std::string(target) +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           "Content-Type: application/x-www-form-urlencoded\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n" + std::string(headers) +
           "\r\n" + std::string(body);
}

std::string session_cookie_of(TestSite& site, const std::string& email,
                              const std::string& password)
{
    Browser browser(site);
    browser.log_in(email, password);
    return "mfo_session=" + browser.cookies["mfo_session"];
}

std::size_t user_count(const TestSite& site)
{
    return static_cast<std::size_t>(site.open_store().count_users());
}

} // namespace

TEST_CASE("server answers malformed request lines and headers with 400",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    const std::string cases[] = {
        "garbage\r\n\r\n",
        "GET /\r\n\r\n",
        "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        "\r\n\r\n",
        "GET / HTTP/1.1\nHost: x\n\n",
        "GET / HTTP/1.1\r\nHost: x\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n",
        std::string("GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n", 28),
        std::string("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 29),
        "GET / HTTP/1.1\r\nHost: x\r\nX-A: \x1b[31m\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n", // HTTP/1.1 without Host
    };
    for (const std::string& request : cases) {
        INFO("request: " << request);
        const RawResponse response = raw_exchange(site.port(), request);
        CHECK(response.status == 400);
        CHECK(is_serving(site));
    }
}

TEST_CASE("server refuses a body framed by both Content-Length and chunked",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    const std::size_t users = user_count(site);
    const std::string smuggled =
        raw_post("/register", "email=smuggled%40example.com&password=xx&"
                              "password_confirm=xx");
    const std::string request =
        "POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
        smuggled;
    RawConnection connection(site.port());
    connection.send(request);
    const RawResponse response = connection.receive();
    CHECK(response.status == 400);
    CHECK(response.header("Connection") == "close");
    CHECK(connection.is_closed_within(2s));
    CHECK(user_count(site) == users);
    CHECK(is_serving(site));
}

TEST_CASE("server refuses conflicting or invalid body framing",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    const std::pair<std::string, int> cases[] = {
        {"POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
         "\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
         411},
        {"POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, "
         "chunked\r\n\r\n-1\r\n\r\n",
         411},
        {"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
         "Content-Length: 40\r\n\r\nabc",
         400},
        {"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
        {"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n",
         400},
        {"POST /login HTTP/1.1\r\nHost: x\r\n\r\nemail=a", 411},
    };
    for (const auto& [request, status] : cases) {
        INFO("request: " << request);
        RawConnection connection(site.port());
        connection.send(request);
        CHECK(connection.receive().status == status);
        CHECK(connection.is_closed_within(2s));
    }
    CHECK(is_serving(site));
}

TEST_CASE("server never reads a GET body as a second request",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    const std::string hidden = raw_get("/healthz");
    RawConnection connection(site.port());
    connection.send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                    std::to_string(hidden.size()) + "\r\n\r\n" + hidden);
    CHECK(connection.receive().status == 400);
    CHECK(connection.receive(1s).status == 0);
    CHECK(is_serving(site));
}

TEST_CASE("server refuses oversized URIs, headers and cookies",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    const std::string big(64 * 1024, 'a');
    CHECK(raw_exchange(site.port(), raw_get("/" + big)).status == 414);
    CHECK(raw_exchange(site.port(), raw_get("/", "X-Big: " + big + "\r\n"))
              .status == 431);
    CHECK(raw_exchange(site.port(),
                       raw_get("/", "Cookie: mfo_session=" + big + "\r\n"))
              .status == 431);
    std::string many;
    for (int i = 0; i < 200; ++i) {
        many += "X-H" + std::to_string(i) + ": v\r\n";
    }
    CHECK(raw_exchange(site.port(), raw_get("/", many)).status == 431);
    CHECK(is_client_error(
        raw_exchange(site.port(),
                     raw_get("/", "X-Long: " + std::string(9000, 'b') + "\r\n"))
            .status));
    CHECK(is_serving(site));
}

TEST_CASE("server answers an oversized body with 413 without waiting for it",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    const std::size_t users = user_count(site);
    RawConnection announced(site.port());
    announced.send("POST /register HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   "application/x-www-form-urlencoded\r\n"
                   "Content-Length: 100000000\r\n\r\nemail=");
    const Clock::time_point start = Clock::now();
    CHECK(announced.receive(3s).status == 413);
    CHECK(Clock::now() - start < 1s);

    const std::string body = "email=a%40b.c&x=" + std::string(100000, 'x');
    CHECK(raw_exchange(site.port(), raw_post("/register", body)).status == 413);
    CHECK(user_count(site) == users);
    CHECK(is_serving(site));
}

TEST_CASE("server cuts off clients that drip a request when others wait",
          "[server][hostile]")
{
    TestSite site;
    site.config.threads = 2;
    site.start();
    std::vector<std::unique_ptr<RawConnection>> drippers;
    for (int i = 0; i < 2; ++i) {
        drippers.push_back(std::make_unique<RawConnection>(site.port()));
        drippers.back()->send("GET / HTTP/1.1\r\n");
    }
    std::atomic<bool> is_dripping{true};
    std::thread drip([&] {
        while (is_dripping) {
            for (auto& dripper : drippers) {
                dripper->send("X");
            }
            std::this_thread::sleep_for(200ms);
        }
    });
    std::this_thread::sleep_for(300ms);
    const Clock::time_point start = Clock::now();
    const RawResponse response =
        raw_exchange(site.port(), raw_get("/healthz"), 5s);
    const auto waited = Clock::now() - start;
    is_dripping = false;
    drip.join();
    CHECK(response.status == 200);
    CHECK(waited < 3500ms);
    // One dripper gave its thread up; the other may run to the full
    // request deadline now that no one waits (see hostile_connection_test).
    const bool is_one_closed = drippers[0]->is_closed_within(100ms) ||
                               drippers[1]->is_closed_within(100ms);
    CHECK(is_one_closed);
}

TEST_CASE("server serves a new client while idle connections stay open",
          "[server][hostile]")
{
    TestSite site;
    site.config.threads = 4;
    site.start();
    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < 4; ++i) {
        idle.push_back(std::make_unique<RawConnection>(site.port()));
    }
    for (int i = 0; i < 4; ++i) {
        auto kept = std::make_unique<RawConnection>(site.port());
        kept->send(raw_get("/healthz"));
        REQUIRE(kept->receive().status == 200);
        idle.push_back(std::move(kept));
    }
    const Clock::time_point start = Clock::now();
    CHECK(raw_exchange(site.port(), raw_get("/healthz"), 5s).status == 200);
    CHECK(Clock::now() - start < 1500ms);
}

TEST_CASE("server answers other methods with 405 or 400, never 500",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    for (const char* method : {"PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"}) {
        for (const char* path : {"/admin", "/login", "/account"}) {
            INFO(method << " " << path);
            const RawResponse response =
                raw_exchange(site.port(), std::string(method) + " " + path +
                                              " HTTP/1.1\r\nHost: x\r\n"
                                              "Content-Length: 4\r\n\r\nabcd");
            CHECK(response.status == 405);
            CHECK_FALSE(response.header("Allow").empty());
        }
    }
    CHECK(
        raw_exchange(site.port(), "TRACE /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            .status == 404);
    CHECK(raw_exchange(site.port(), "BREW /admin HTTP/1.1\r\nHost: x\r\n\r\n")
              .status == 400);
    CHECK(raw_exchange(site.port(), "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n")
              .status == 404);
    CHECK(raw_exchange(site.port(), raw_post("/admin", "a=b")).status == 405);
    CHECK(is_serving(site));
}

TEST_CASE("path variants of the admin page never bypass the role check",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    const std::string user_cookie =
        session_cookie_of(site, test::k_user_email, test::k_user_password);
    const std::string admin_cookie =
        session_cookie_of(site, test::k_admin_email, test::k_admin_password);
    // The admin page lists every user; a plain user's pages never name the
    // admin.
    const RawResponse admin_page = raw_exchange(
        site.port(), raw_get("/admin", "Cookie: " + admin_cookie + "\r\n"));
    REQUIRE(admin_page.status == 200);
    REQUIRE(admin_page.body.find(test::k_admin_email) != std::string::npos);

    const char* variants[] = {
        "/admin",     "/admin/",   "/ADMIN",      "/Admin",     "/%61dmin",
        "/%2561dmin", "/admin%2f", "/admin%2F",   "/admin;x",   "//admin",
        "/./admin",   "/admin/.",  "/admin%00",   "/admin?x=1", "/x/../admin",
        "/admin%20",  "/%2fadmin", "/admin/..;/", "/admin#x",   "/admin.json",
    };
    for (const char* variant : variants) {
        for (const std::string& cookie : {user_cookie, std::string()}) {
            INFO(variant << " cookie=" << !cookie.empty());
            const std::string headers =
                cookie.empty() ? "" : "Cookie: " + cookie + "\r\n";
            const RawResponse response =
                raw_exchange(site.port(), raw_get(variant, headers));
            const bool is_refused =
                response.status == 302 || response.status == 403 ||
                response.status == 404 || response.status == 400;
            CHECK(is_refused);
            CHECK(response.body.find(test::k_admin_email) == std::string::npos);
            if (response.status == 302) {
                CHECK(response.header("Location").starts_with("/login"));
            }
        }
    }
}

TEST_CASE("path traversal never reaches the database or the env file",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    const char* paths[] = {
        "/static/../mfo.db",
        "/static/%2e%2e/mfo.db",
        "/static/%2e%2e/.env",
        "/static/..%2f..%2f.env",
        "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/static/....//mfo.db",
        "/static/%252e%252e/mfo.db",
        "/static/..\\mfo.db",
        "/mfo.db",
        "/.env",
        "/static/.env",
        "/static/%00../mfo.db",
        "/static//etc/passwd",
    };
    for (const char* path : paths) {
        INFO(path);
        const RawResponse response = raw_exchange(site.port(), raw_get(path));
        CHECK((response.status == 404 || response.status == 400));
        CHECK(response.body.find("SQLite format") == std::string::npos);
        CHECK(response.body.find("root:") == std::string::npos);
    }
    CHECK(is_serving(site));
}

TEST_CASE("invalid UTF-8 and NUL in form fields and cookies never cause a 500",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    const std::size_t users = user_count(site);
    const char* values[] = {"%FF%FE",    "%C3%28",       "a%00b%40example.com",
                            "%ED%A0%80", "%F4%90%80%80", "%C0%AF",
                            "%"};
    for (const char* value : values) {
        Browser browser(site);
        const std::string token =
            test::input_value(browser.get("/register")->body, "csrf_token");
        const std::string cookie =
            "Cookie: mfo_csrf=" + browser.cookies["mfo_csrf"] + "\r\n";
        for (const char* action : {"/login", "/register"}) {
            INFO(action << " " << value);
            const std::string body = "email=" + std::string(value) +
                                     "&password=" + value +
                                     "&password_confirm=" + value +
                                     "&next=" + value + "&csrf_token=" + token;
            const int status =
                raw_exchange(site.port(), raw_post(action, body, cookie))
                    .status;
            CHECK((status == 200 || status == 400));
        }
        const int page =
            raw_exchange(site.port(),
                         raw_get("/account",
                                 "Cookie: mfo_session=" + std::string(value) +
                                     "; mfo_csrf=%00\xff\r\n"))
                .status;
        CHECK(page == 302);
    }
    CHECK(user_count(site) == users);
    CHECK(is_serving(site));
}

TEST_CASE("a repeated form field is read from its first occurrence only",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const std::string token =
        test::input_value(browser.get("/login")->body, "csrf_token");
    const auto wrong_first =
        browser.post("/login", {{"email", test::k_user_email},
                                {"password", test::k_user_password},
                                {"csrf_token", "wrong"},
                                {"csrf_token", token}});
    CHECK(wrong_first->status == 400);

    const auto two_emails =
        browser.post("/login", {{"email", test::k_user_email},
                                {"email", test::k_admin_email},
                                {"password", test::k_user_password},
                                {"csrf_token", token},
                                {"csrf_token", "wrong"}});
    REQUIRE(two_emails->status == 303);
    CHECK(browser.get("/admin")->status == 403);
}

TEST_CASE("registration ignores extra fields such as roles and is_active",
          "[server][hostile]")
{
    TestSite site;
    site.start();
    Browser browser(site);
    const auto result =
        browser.submit("/register", "/register",
                       {{"email", "new@example.com"},
                        {"password", "a-long-password-1"},
                        {"password_confirm", "a-long-password-1"},
                        {"roles", "admin"},
                        {"roles[]", "admin"},
                        {"role", "admin"},
                        {"is_active", "0"},
                        {"active", "0"},
                        {"id", "1"},
                        {"email", "admin@example.com"}});
    REQUIRE(result->status == 303);
    const std::optional<core::User> user =
        site.open_store().find_user_by_email("new@example.com");
    REQUIRE(user);
    CHECK(user->roles.empty());
    CHECK(user->is_active);
    CHECK(browser.get("/admin")->status == 403);
}
