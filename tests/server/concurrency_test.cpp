#include "core/email.hpp"
#include "tests/server/test_site.hpp"
#include "tests/support/run_mfo.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <mutex>
#include <thread>

using namespace mfo::test;

namespace {

// "ann@example.com" with letters upper-cased by the bits of `variant`.
std::string letter_case_variant(const std::string& email, unsigned variant)
{
    std::string result = email;
    for (std::size_t i = 0; i < result.size(); ++i) {
        if ((variant >> (i % 16)) & 1u) {
            result[i] = static_cast<char>(
                std::toupper(static_cast<unsigned char>(result[i])));
        }
    }
    return result;
}

std::string describe(const httplib::Result& result)
{
    if (!result) {
        return "no answer (" + httplib::to_string(result.error()) + ")";
    }
    return std::to_string(result->status) + " " + result->body.substr(0, 200);
}

} // namespace

TEST_CASE("concurrent registrations of one email in different letter cases "
          "create one account",
          "[server]")
{
    TestSite site;
    site.config.threads = 16;
    site.start();
    constexpr int k_clients = 8;

    // Every client holds its form first, so the posts race each other.
    std::vector<std::unique_ptr<Browser>> browsers;
    std::vector<std::string> tokens;
    for (int i = 0; i < k_clients; ++i) {
        browsers.push_back(std::make_unique<Browser>(site));
        tokens.push_back(
            input_value(browsers.back()->get("/register")->body, "csrf_token"));
    }
    std::vector<int> statuses(k_clients, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < k_clients; ++i) {
        threads.emplace_back([&, i] {
            const std::string email = letter_case_variant(
                "race@example.com", static_cast<unsigned>(i) * 0x2b5u);
            const httplib::Result result = browsers[i]->post(
                "/register", {{"csrf_token", tokens[i]},
                              {"email", email},
                              {"password", "race-password-1"},
                              {"password_confirm", "race-password-1"}});
            statuses[i] = result ? result->status : -1;
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }

    // 303 created the account; 200 showed the form with "already taken";
    // 503 was turned away while too many passwords were hashing.
    CHECK(std::count(statuses.begin(), statuses.end(), 303) == 1);
    for (const int status : statuses) {
        CHECK((status == 303 || status == 200 || status == 503));
    }
    int accounts = 0;
    for (const mfo::core::User& user : site.open_store().list_users()) {
        accounts += mfo::core::email_key(user.email) == "race@example.com";
    }
    CHECK(accounts == 1);
}

TEST_CASE("CLI role changes while the server is under load see no lock "
          "errors",
          "[server]")
{
    TestSite site;
    site.config.threads = 8;
    site.start();
    std::atomic<bool> is_done{false};
    std::mutex failure_mutex;
    std::vector<std::string> failed_requests;

    // Page loads, logins (each a password check and a session write) and
    // logouts, from four clients at once.
    std::vector<std::thread> load;
    for (int i = 0; i < 4; ++i) {
        load.emplace_back([&] {
            while (!is_done) {
                Browser browser(site);
                const httplib::Result login =
                    browser.log_in(k_user_email, k_user_password);
                const httplib::Result page = browser.get("/account");
                if (!login || login->status != 303 || !page ||
                    page->status != 200) {
                    const std::lock_guard lock(failure_mutex);
                    failed_requests.push_back("login " + describe(login) +
                                              ", account " + describe(page));
                }
            }
        });
    }
    std::vector<RunResult> failures;
    for (int i = 0; i < 15; ++i) {
        for (const char* action : {"grant", "revoke"}) {
            const RunResult result =
                run_mfo(site.dir, {"--db", site.config.database_path, "role",
                                   action, "admin", k_user_email});
            if (result.exit_code != 0) {
                failures.push_back(result);
            }
        }
    }
    is_done = true;
    for (std::thread& thread : load) {
        thread.join();
    }

    for (const RunResult& failure : failures) {
        INFO("CLI failed: " << failure.err);
        CHECK(failure.exit_code == 0);
    }
    CHECK(failures.empty());
    for (const std::string& failure : failed_requests) {
        INFO("request failed: " << failure);
        CHECK(failure.empty());
    }
}
