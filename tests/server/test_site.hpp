#pragma once

#include "core/config.hpp"
#include "core/password.hpp"
#include "core/store.hpp"
#include "server/server.hpp"
#include "tests/support/temp_dir.hpp"

#include <httplib.h>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mfo::test {

inline constexpr const char* k_admin_email = "admin@example.com";
inline constexpr const char* k_admin_password = "admin-password-1";
inline constexpr const char* k_user_email = "user@example.com";
inline constexpr const char* k_user_password = "user-password-1";

// A temporary instance: an initialized database with a secret key, the
// "admin" role, an admin and a plain user, and an in-process server on a
// free port of 127.0.0.1. The server stops when the site goes away. Log
// lines are captured instead of printed.
class TestSite {
public:
    TestSite();
    ~TestSite();
    TestSite(const TestSite&) = delete;
    TestSite& operator=(const TestSite&) = delete;

    TempDir dir;
    core::Config config; // adjust before start()

    void start();
    void stop();
    int port() const { return m_server->port(); }

    // A second connection to the database, as the CLI would open.
    core::Store open_store() const;
    core::PasswordHash hash(const std::string& password) const;
    core::User add_user(const std::string& email, const std::string& password,
                        const std::vector<std::string>& roles = {});

    std::vector<std::string> log_lines() const;

private:
    std::unique_ptr<server::Server> m_server;
    mutable std::mutex m_log_mutex;
    std::vector<std::string> m_log;
};

// An HTTP client that keeps cookies like a browser, never follows
// redirects, and reads CSRF tokens out of forms.
class Browser {
public:
    explicit Browser(const TestSite& site);

    httplib::Result get(const std::string& path);
    httplib::Result
    post(const std::string& path,
         const std::vector<std::pair<std::string, std::string>>& fields);
    // GETs `form_path`, then POSTs `fields` plus the form's csrf_token.
    httplib::Result
    submit(const std::string& form_path, const std::string& action,
           std::vector<std::pair<std::string, std::string>> fields);
    httplib::Result log_in(const std::string& email,
                           const std::string& password, bool remember = false);
    // The csrf_token in the logout form of the nav bar on `path`.
    std::string logout_token(const std::string& path = "/");

    std::map<std::string, std::string> cookies;

private:
    void keep_cookies(const httplib::Result& result);
    httplib::Headers cookie_header() const;

    httplib::Client m_client;
};

// The value attribute of the input named `name` in `html`, or "".
std::string input_value(const std::string& html, const std::string& name);

// Form body encoding for raw requests.
std::string
encode_form(const std::vector<std::pair<std::string, std::string>>& fields);

} // namespace mfo::test
