#pragma once

// Shared by the page handlers (app.cpp, auth_pages.cpp, account_pages.cpp);
// not part of the server's public interface.

#include "core/config.hpp"
#include "core/password.hpp"
#include "server/hash_gate.hpp"
#include "server/http_util.hpp"
#include "server/sessions.hpp"
#include "server/throttle.hpp"
#include "server/workers.hpp"

#include <atomic>
#include <functional>
#include <httplib.h>
#include <kainjow/mustache.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace mfo::server {

// Everything the handlers share for the server's lifetime.
struct AppState {
    core::Config config;
    std::string secret_key;
    SessionPolicy policy;
    core::PasswordHasher hasher;
    core::PasswordPolicy password_policy;
    HashGate hash_gate;
    LoginThrottle throttle;
    WorkerPool workers;
    // When expired session rows are next deleted (see begin_visit).
    std::atomic<core::Timestamp> next_sweep{0};
};

// One request being answered: its worker, its visitor and its form.
struct Visit {
    const httplib::Request& request;
    httplib::Response& response;
    WorkerPool::Lease worker;
    core::Timestamp now = 0;
    std::string client; // address for throttling and logs
    std::optional<ActiveSession> session;
    FormFields form; // a POST's urlencoded body; empty otherwise
    // The worker's SQLite data_version, read once per request (and again
    // if the request changes worker); its caches are synced to it.
    std::int64_t data_version = 0;
};

// Leases a worker, finds the session cookie's live session (clearing a
// dead cookie) and parses a form body. Throws core::Error when the
// database cannot be reached.
Visit begin_visit(AppState& app, const httplib::Request& request,
                  httplib::Response& response, bool needs_session = true);

using Handler = void (*)(AppState& app, Visit& visit);

// Runs `job` (password hashing) on the hash gate's threads, with the
// visit's worker back in the pool meanwhile. False, without running it,
// when too many hashes already wait.
bool run_hash(AppState& app, Visit& visit, const std::function<void()>& job);

// Layout data every page needs: title, nav state, the logout form token.
kainjow::mustache::data page_data(const AppState& app, const Visit& visit,
                                  std::string_view title,
                                  std::string_view nav_item = {});

// Renders a page inside the layout. Every HTML page is no-store: the nav
// bar names the signed-in user and forms carry CSRF tokens.
void send_page(Visit& visit, std::string_view name,
               const kainjow::mustache::data& data, int status = 200);

// The error page for `status` in the layout; `detail` replaces the
// standard explanation.
void send_error(AppState& app, Visit& visit, int status,
                std::string_view detail = {});

// Title and explanation of an error page.
std::string_view status_title(int status);
std::string_view status_explanation(int status);

void redirect(Visit& visit, const std::string& location, int status = 303);

// 302 to /login?next=<this page> for an anonymous visitor of a protected
// page.
void redirect_to_login(Visit& visit);

bool has_role(const core::User& user, std::string_view role);

// CSRF checks. Anonymous forms (login, register) are bound to the mfo_csrf
// cookie, the others to the session. A refusal is logged and answered
// with the 400 page.
bool has_anonymous_csrf(const AppState& app, const Visit& visit);
bool has_session_csrf(const Visit& visit);
void refuse_csrf(AppState& app, Visit& visit);

// The anonymous form token for this visitor, setting the mfo_csrf cookie
// when the browser has none yet.
std::string ensure_anonymous_csrf(const AppState& app, Visit& visit);

// Answers 429 with Retry-After and logs the refusal.
void refuse_throttled(AppState& app, Visit& visit, int wait_seconds,
                      std::string_view email);

// Answers 503 when too many password checks are already queued.
void refuse_busy(AppState& app, Visit& visit);

// Replaces the visitor's session, if any, with a new one for `user`
// (never reusing an id) and sets its cookie.
void start_login(AppState& app, Visit& visit, const core::User& user,
                 bool is_persistent);

// "warn login failed email=... address=..." with client text escaped.
void log_event(std::string_view event, std::string_view email,
               const Visit& visit);

// Route handlers.
void show_home(AppState& app, Visit& visit);
void show_login(AppState& app, Visit& visit);
void submit_login(AppState& app, Visit& visit);
void submit_logout(AppState& app, Visit& visit);
void show_register(AppState& app, Visit& visit);
void submit_register(AppState& app, Visit& visit);
void show_account(AppState& app, Visit& visit);
void submit_password_change(AppState& app, Visit& visit);
void show_admin(AppState& app, Visit& visit);

} // namespace mfo::server
