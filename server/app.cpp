#include "server/app.hpp"

#include "core/error.hpp"
#include "server/embedded_files.hpp"
#include "server/log.hpp"
#include "server/pages.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace mfo::server {
namespace {

using HttpHandler =
    std::function<void(const httplib::Request&, httplib::Response&)>;
using Clock = std::chrono::steady_clock;

constexpr std::string_view k_content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";
constexpr std::size_t k_max_header_count = 100;

// When the request on this worker thread reached routing; the access log
// reports the time from there.
thread_local std::optional<Clock::time_point> t_request_start;

HttpHandler page(AppState& state, Handler handler)
{
    return [&state, handler](const httplib::Request& request,
                             httplib::Response& response) {
        Visit visit = begin_visit(state, request, response);
        handler(state, visit);
    };
}

// The error handler renders the page; this only sets the status.
HttpHandler not_allowed(std::string allowed_methods)
{
    return [allowed_methods](const httplib::Request&,
                             httplib::Response& response) {
        response.status = 405;
        response.set_header("Allow", allowed_methods);
    };
}

// Known paths answer other methods with 405 and an Allow header, not 404.
void refuse_other_methods(httplib::Server& http)
{
    const std::pair<const char*, const char*> paths[] = {
        {"/", "GET, HEAD"},
        {"/healthz", "GET, HEAD"},
        {"/account", "GET, HEAD"},
        {"/admin", "GET, HEAD"},
        {"/login", "GET, HEAD, POST"},
        {"/register", "GET, HEAD, POST"},
        {"/logout", "POST"},
        {"/account/password", "POST"},
    };
    for (const auto& [path, allowed] : paths) {
        if (std::string_view(allowed).find("POST") == std::string_view::npos) {
            http.Post(path, not_allowed(allowed));
        }
        http.Put(path, not_allowed(allowed));
        http.Patch(path, not_allowed(allowed));
        http.Delete(path, not_allowed(allowed));
    }
}

const char* content_type(std::string_view name)
{
    if (name.ends_with(".css")) {
        return "text/css; charset=utf-8";
    }
    if (name.ends_with(".js")) {
        return "text/javascript; charset=utf-8";
    }
    if (name.ends_with(".svg")) {
        return "image/svg+xml";
    }
    if (name.ends_with(".png")) {
        return "image/png";
    }
    if (name.ends_with(".ico")) {
        return "image/x-icon";
    }
    return "application/octet-stream";
}

void serve_static(const httplib::Request& request, httplib::Response& response)
{
    const std::string name = "static/" + request.matches[1].str();
    const std::optional<std::string_view> content = embedded_file(name);
    if (!content) {
        response.status = 404;
        return;
    }
    response.set_content(std::string(*content), content_type(name));
    response.set_header("Cache-Control", "public, max-age=3600");
}

void serve_health(const httplib::Request&, httplib::Response& response)
{
    response.set_header("Cache-Control", "no-store");
    response.set_content("ok", "text/plain; charset=utf-8");
}

void add_security_headers(const httplib::Request&, httplib::Response& response)
{
    response.set_header("Content-Security-Policy",
                        std::string(k_content_security_policy));
    response.set_header("X-Content-Type-Options", "nosniff");
    response.set_header("X-Frame-Options", "DENY");
    response.set_header("Referrer-Policy", "same-origin");
}

httplib::Server::HandlerResponse note_start(const httplib::Request& request,
                                            httplib::Response& response)
{
    t_request_start = Clock::now();
    // cpp-httplib 0.11 caps each header line (8 KiB) but not their number.
    if (request.headers.size() > k_max_header_count) {
        response.status = 400;
        return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
}

void log_access(const httplib::Request& request,
                const httplib::Response& response)
{
    double milliseconds = 0;
    if (t_request_start) {
        const auto elapsed = Clock::now() - *t_request_start;
        milliseconds =
            std::chrono::duration<double, std::milli>(elapsed).count();
        t_request_start.reset();
    }
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.2fms", milliseconds);
    log_line(LogLevel::info,
             loggable(request.method) + " " + loggable(request.path) + " " +
                 std::to_string(response.status) + " " + duration);
}

// The last resort when even the error page cannot be rendered (the
// database or a template failing): plain HTML with the stylesheet.
std::string fallback_page(int status)
{
    const std::string title(status_title(status));
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<title>" +
           title +
           "</title><link rel=\"stylesheet\" "
           "href=\"/static/style.css\"></head><body><main class=\"content\">"
           "<h1>" +
           title + "</h1><p>" + std::string(status_explanation(status)) +
           "</p><p><a href=\"/\">Home</a></p></main></body></html>\n";
}

// Gives every 4xx and 5xx without a body of its own (an unknown path,
// 413, 405, an exception) the error page in the layout.
httplib::Server::HandlerResponse render_error(AppState& state,
                                              const httplib::Request& request,
                                              httplib::Response& response)
{
    if (!response.body.empty()) {
        return httplib::Server::HandlerResponse::Handled;
    }
    try {
        // After a 500 the database may be the cause: show no user.
        const bool needs_session = response.status < 500;
        Visit visit = begin_visit(state, request, response, needs_session);
        send_error(state, visit, response.status);
    } catch (const std::exception& error) {
        log_line(LogLevel::error,
                 "error page failed: " + loggable(error.what()));
        response.set_header("Cache-Control", "no-store");
        response.set_content(fallback_page(response.status),
                             "text/html; charset=utf-8");
    }
    return httplib::Server::HandlerResponse::Handled;
}

struct Failure {
    std::string reason;
    int status = 500;
};

// A busy or read-only database (another writer holding it too long) is
// 503, worth retrying; anything else is 500.
Failure describe_failure(const std::exception_ptr& error)
{
    try {
        std::rethrow_exception(error);
    } catch (const core::Error& exception) {
        const bool is_busy = exception.kind() == core::Error::Kind::unavailable;
        return {exception.what(), is_busy ? 503 : 500};
    } catch (const std::exception& exception) {
        return {exception.what()};
    } catch (...) {
        return {"unknown exception"};
    }
}

// One log line, then the error page; the server keeps serving. Headers
// set before the failure (a new session cookie) are dropped with the body.
void on_exception(const httplib::Request& request, httplib::Response& response,
                  std::exception_ptr error)
{
    const Failure failure = describe_failure(error);
    log_line(LogLevel::error, "request failed " + loggable(request.method) +
                                  " " + loggable(request.path) + ": " +
                                  loggable(failure.reason));
    response.headers.clear();
    response.body.clear();
    response.status = failure.status;
    if (failure.status == 503) {
        response.set_header("Retry-After", "1");
    }
}

core::PasswordHasher make_hasher(const core::Config& config)
{
    return core::PasswordHasher(
        core::HashCost{config.argon2_iterations, config.argon2_memory_kib},
        config.password_pepper, config.password_pepper);
}

int core_count()
{
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

} // namespace

int worker_thread_count(const core::Config& config)
{
    return config.threads > 0 ? config.threads : std::max(8, 4 * core_count());
}

App::App(const core::Config& config, std::string secret_key,
         Templates templates)
    : m_state(new AppState{
          config, std::move(secret_key), SessionPolicy::from_config(config),
          make_hasher(config),
          core::PasswordPolicy{config.password_min_length,
                               config.password_max_length},
          // Queued password checks may hold at most half the threads.
          HashGate(core_count(), worker_thread_count(config) / 2),
          LoginThrottle(),
          WorkerPool(config.database_path, std::move(templates)), 0})
{
}

App::~App() = default;

void App::install(httplib::Server& http)
{
    install_routes(http);
    install_hooks(http);
}

void App::install_routes(httplib::Server& http)
{
    AppState& state = *m_state;
    http.Get("/", page(state, show_home));
    http.Get("/healthz", serve_health);
    http.Get(R"(/static/([A-Za-z0-9_-][A-Za-z0-9_.-]*))", serve_static);
    http.Get("/login", page(state, show_login));
    http.Post("/login", page(state, submit_login));
    http.Get("/register", page(state, show_register));
    http.Post("/register", page(state, submit_register));
    http.Post("/logout", page(state, submit_logout));
    http.Get("/logout", not_allowed("POST"));
    http.Get("/account", page(state, show_account));
    http.Post("/account/password", page(state, submit_password_change));
    http.Get("/account/password", not_allowed("POST"));
    http.Get("/admin", page(state, show_admin));
    refuse_other_methods(http);
}

void App::install_hooks(httplib::Server& http)
{
    AppState& state = *m_state;
    http.set_pre_routing_handler(note_start);
    http.set_post_routing_handler(add_security_headers);
    // Named type: a lambda fits both of httplib's overloads.
    const httplib::Server::HandlerWithResponse error_handler =
        [&state](const httplib::Request& request, httplib::Response& response) {
            return render_error(state, request, response);
        };
    http.set_error_handler(error_handler);
    http.set_exception_handler(on_exception);
    http.set_logger(log_access);
}

} // namespace mfo::server
