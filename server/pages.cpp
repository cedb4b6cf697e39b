#include "server/pages.hpp"

#include "core/crypto.hpp"
#include "server/csrf.hpp"
#include "server/log.hpp"

#include <algorithm>

namespace mfo::server {
namespace {

constexpr std::string_view k_html = "text/html; charset=utf-8";
constexpr std::size_t k_csrf_cookie_bytes = 32;
constexpr core::Timestamp k_sweep_interval = 3600;

bool is_form_post(const httplib::Request& request)
{
    return request.method == "POST" &&
           request.get_header_value("Content-Type")
               .starts_with("application/x-www-form-urlencoded");
}

std::optional<std::string> request_cookie(const httplib::Request& request,
                                          std::string_view name)
{
    const std::size_t count = request.get_header_value_count("Cookie");
    for (std::size_t i = 0; i < count; ++i) {
        if (auto value =
                find_cookie(request.get_header_value("Cookie", i), name)) {
            return value;
        }
    }
    return std::nullopt;
}

void find_session(AppState& app, Visit& visit)
{
    const std::optional<std::string> token =
        request_cookie(visit.request, k_session_cookie);
    if (!token) {
        return;
    }
    visit.session = resolve_session(visit.worker->store, visit.worker->sessions,
                                    *token, app.policy, visit.now);
    if (!visit.session) {
        visit.response.set_header("Set-Cookie",
                                  expired_session_cookie(app.policy));
    }
}

// Removes a "clear the old cookie" header set earlier in this request, so
// the response carries exactly one mfo_session cookie.
void drop_session_cookies(httplib::Response& response)
{
    const std::string prefix = std::string(k_session_cookie) + "=";
    std::erase_if(response.headers, [&](const auto& header) {
        return header.first == "Set-Cookie" &&
               header.second.starts_with(prefix);
    });
}

// Expired sessions are never found again, but their rows stay until
// deleted; one request an hour, whichever wins the exchange, does it.
void sweep_expired_sessions(AppState& app, Visit& visit)
{
    core::Timestamp due = app.next_sweep.load();
    if (visit.now < due || !app.next_sweep.compare_exchange_strong(
                               due, visit.now + k_sweep_interval)) {
        return;
    }
    const SessionPolicy& policy = app.policy;
    visit.worker->store.delete_expired_sessions(
        visit.now - policy.idle_timeout, visit.now - policy.lifetime,
        visit.now - policy.remember_lifetime);
    visit.worker->sessions.clear();
}

// Reads data_version once, and forgets the worker's loaded sessions if
// another connection has committed since its last request.
void sync_worker(Visit& visit)
{
    visit.data_version = visit.worker->store.data_version();
    visit.worker->sessions.sync(visit.data_version);
}

} // namespace

Visit begin_visit(AppState& app, const httplib::Request& request,
                  httplib::Response& response, bool needs_session)
{
    Visit visit{request,     response, app.workers.acquire(),
                core::now(), {},       std::nullopt,
                {},          0};
    sync_worker(visit);
    visit.client = client_address(request.remote_addr,
                                  request.get_header_value("X-Forwarded-For"),
                                  app.config.trusted_proxy);
    if (needs_session) {
        sweep_expired_sessions(app, visit);
        find_session(app, visit);
    }
    if (is_form_post(request)) {
        visit.form = parse_form(request.body);
    }
    return visit;
}

bool run_hash(AppState& app, Visit& visit, const std::function<void()>& job)
{
    visit.worker.suspend();
    // If the job throws, the request ends with an error page, which
    // leases a worker of its own.
    const bool is_admitted = app.hash_gate.run(job);
    visit.worker.resume();
    sync_worker(visit);
    return is_admitted;
}

kainjow::mustache::data page_data(const AppState& app, const Visit& visit,
                                  std::string_view title,
                                  std::string_view nav_item)
{
    kainjow::mustache::data data;
    data.set("title", std::string(title));
    data.set("registerable", app.config.registerable);
    if (!nav_item.empty()) {
        data.set("nav_" + std::string(nav_item), true);
    }
    if (visit.session) {
        const core::User& user = visit.session->user;
        data.set("signed_in", true);
        data.set("user_email", user.email);
        data.set("is_admin", has_role(user, app.config.admin_role));
        data.set("logout_csrf_token", visit.session->session.csrf_token);
    }
    return data;
}

void send_page(Visit& visit, std::string_view name,
               const kainjow::mustache::data& data, int status)
{
    visit.response.status = status;
    visit.response.set_header("Cache-Control", "no-store");
    visit.response.set_content(visit.worker->templates.render_page(name, data),
                               k_html.data());
}

std::string_view status_title(int status)
{
    switch (status) {
    case 400:
        return "Bad request";
    case 403:
        return "Forbidden";
    case 404:
        return "Page not found";
    case 405:
        return "Method not allowed";
    case 413:
        return "Request too large";
    case 429:
        return "Too many attempts";
    case 503:
        return "Busy";
    default:
        return status >= 500 ? "Server error" : "Request refused";
    }
}

std::string_view status_explanation(int status)
{
    switch (status) {
    case 400:
        return "The request could not be accepted. If you sent a form, "
               "reload the page and try again.";
    case 403:
        return "Your account does not have permission to open this page.";
    case 404:
        return "There is no page at this address.";
    case 405:
        return "This address does not accept that kind of request.";
    case 413:
        return "The request was larger than this site accepts.";
    case 429:
        return "Too many failed attempts. Wait a little and try again.";
    case 503:
        return "The server is busy. Try again in a moment.";
    default:
        return "Something went wrong on our side. Try again in a moment.";
    }
}

void send_error(AppState& app, Visit& visit, int status,
                std::string_view detail)
{
    kainjow::mustache::data data = page_data(app, visit, status_title(status));
    data.set("status", std::to_string(status));
    data.set("message",
             std::string(detail.empty() ? status_explanation(status) : detail));
    send_page(visit, "error", data, status);
}

void redirect(Visit& visit, const std::string& location, int status)
{
    visit.response.status = status;
    visit.response.set_header("Location", location);
}

void redirect_to_login(Visit& visit)
{
    // The raw target keeps the query (/admin?after=50) in its sent form.
    const std::string& target = visit.request.target;
    const std::string next = is_local_path(target) ? target : "/account";
    redirect(visit, "/login?next=" + url_encode(next), 302);
}

bool has_role(const core::User& user, std::string_view role)
{
    return std::find(user.roles.begin(), user.roles.end(), role) !=
           user.roles.end();
}

bool has_anonymous_csrf(const AppState& app, const Visit& visit)
{
    const std::optional<std::string> cookie =
        request_cookie(visit.request, k_csrf_cookie);
    if (!cookie) {
        return false;
    }
    return is_csrf_match(anonymous_csrf_token(app.secret_key, *cookie),
                         form_value(visit.form, k_csrf_field));
}

bool has_session_csrf(const Visit& visit)
{
    return visit.session && is_csrf_match(visit.session->session.csrf_token,
                                          form_value(visit.form, k_csrf_field));
}

void refuse_csrf(AppState& app, Visit& visit)
{
    const std::string email = visit.session ? visit.session->user.email : "";
    log_event("csrf check failed path=" + loggable(visit.request.path), email,
              visit);
    send_error(app, visit, 400,
               "This form has expired or did not come from this site. "
               "Reload the page and try again.");
}

std::string ensure_anonymous_csrf(const AppState& app, Visit& visit)
{
    std::optional<std::string> cookie =
        request_cookie(visit.request, k_csrf_cookie);
    if (!cookie) {
        cookie = core::random_token(k_csrf_cookie_bytes);
        visit.response.set_header("Set-Cookie",
                                  csrf_cookie(*cookie, app.policy));
    }
    return anonymous_csrf_token(app.secret_key, *cookie);
}

void refuse_throttled(AppState& app, Visit& visit, int wait_seconds,
                      std::string_view email)
{
    log_event("login throttled", email, visit);
    visit.response.set_header("Retry-After", std::to_string(wait_seconds));
    send_error(
        app, visit, 429,
        "Too many failed attempts. Wait " + std::to_string(wait_seconds) +
            (wait_seconds == 1 ? " second" : " seconds") + " and try again.");
}

void refuse_busy(AppState& app, Visit& visit)
{
    log_line(LogLevel::warn,
             "password check queue full address=" + loggable(visit.client));
    visit.response.set_header("Retry-After", "1");
    send_error(app, visit, 503);
}

void start_login(AppState& app, Visit& visit, const core::User& user,
                 bool is_persistent)
{
    Worker& worker = *visit.worker;
    // The old session, if any, goes first: an id planted before login
    // must never become a logged-in one.
    if (visit.session) {
        end_session(worker.store, worker.sessions,
                    visit.session->session.id_hash);
        visit.session.reset();
    }
    StartedSession started = start_session(worker.store, worker.sessions, user,
                                           is_persistent, visit.now);
    drop_session_cookies(visit.response);
    visit.response.set_header(
        "Set-Cookie", session_cookie(started.token, is_persistent, app.policy));
    visit.session = std::move(started.active);
}

void log_event(std::string_view event, std::string_view email,
               const Visit& visit)
{
    std::string line(event);
    if (!email.empty()) {
        line += " email=" + loggable(email);
    }
    line += " address=" + loggable(visit.client);
    log_line(LogLevel::warn, line);
}

} // namespace mfo::server
