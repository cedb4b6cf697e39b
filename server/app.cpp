#include "server/app.hpp"

#include "core/error.hpp"
#include "server/connection.hpp"
#include "server/embedded_files.hpp"
#include "server/log.hpp"
#include "server/pages.hpp"

#include <algorithm>
#include <chrono>
#include <sched.h>
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

struct PathMethods {
    std::string_view path;
    std::string_view allowed;
};

// Known paths answer other methods with 405 and an Allow header, not 404.
constexpr PathMethods k_path_methods[] = {
    {"/", "GET, HEAD"},
    {"/healthz", "GET, HEAD"},
    {"/account", "GET, HEAD"},
    {"/admin", "GET, HEAD"},
    {"/login", "GET, HEAD, POST"},
    {"/register", "GET, HEAD, POST"},
    {"/logout", "POST"},
    {"/account/password", "POST"},
};

std::optional<std::string_view> allowed_methods(std::string_view path)
{
    for (const PathMethods& entry : k_path_methods) {
        if (entry.path == path) {
            return entry.allowed;
        }
    }
    return std::nullopt;
}

// A POST to a page that takes none is answered once its body is read.
void refuse_posts(httplib::Server& http)
{
    for (const PathMethods& entry : k_path_methods) {
        if (entry.allowed.find("POST") == std::string_view::npos) {
            http.Post(std::string(entry.path),
                      not_allowed(std::string(entry.allowed)));
        }
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

struct Refusal {
    int status = 400;
    std::string_view reason;
};

bool is_digits(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
}

// Framing that cpp-httplib 0.11 accepts but a proxy in front may read
// differently (request smuggling), or that would make it wait for a body:
// it prefers chunked over Content-Length, takes the first of several
// Content-Length headers, never reads a GET's body (which then becomes
// the next request) and reads a POST without length until the client
// closes. Chunked bodies are refused too, since httplib does not apply
// its body limit to them; browsers never send chunked forms.
std::optional<Refusal> framing_problem(const httplib::Request& request,
                                       std::size_t max_body_bytes)
{
    const std::size_t lengths =
        request.get_header_value_count("Content-Length");
    const std::string length = request.get_header_value("Content-Length");
    if (request.headers.size() > k_max_header_count) {
        return Refusal{431, "too many headers"};
    }
    if (request.version == "HTTP/1.1" && !request.has_header("Host")) {
        return Refusal{400, "no Host header"};
    }
    if (request.has_header("Transfer-Encoding")) {
        return lengths > 0
                   ? Refusal{400, "Transfer-Encoding and Content-Length"}
                   : Refusal{411, "Transfer-Encoding"};
    }
    if (lengths > 1) {
        return Refusal{400, "several Content-Length headers"};
    }
    if (lengths == 1 && (!is_digits(length) || length.size() > 18)) {
        return Refusal{400, "invalid Content-Length"};
    }
    const std::uint64_t size = lengths == 1 ? std::stoull(length) : 0;
    if (size > max_body_bytes) {
        return Refusal{413, "body too large"};
    }
    if (request.method == "POST" && lengths == 0) {
        return Refusal{411, "POST without Content-Length"};
    }
    if (request.method != "POST" && size > 0) {
        return Refusal{400, "body on a request without one"};
    }
    return std::nullopt;
}

// Only GET, HEAD and POST reach the routes; anything else is refused
// before any body is read.
std::optional<Refusal> method_problem(const httplib::Request& request,
                                      httplib::Response& response)
{
    const std::string& method = request.method;
    if (method == "GET" || method == "HEAD" || method == "POST") {
        return std::nullopt;
    }
    const std::optional<std::string_view> allowed =
        allowed_methods(request.path);
    if (!allowed) {
        return Refusal{404, "unsupported method"};
    }
    response.set_header("Allow", std::string(*allowed));
    return Refusal{405, "unsupported method"};
}

httplib::Server::HandlerResponse check_request(const AppState& state,
                                               const httplib::Request& request,
                                               httplib::Response& response)
{
    // Before the clock starts: the pause is the server's choice, not the
    // request's cost.
    state.hash_gate.make_room();
    t_request_start = Clock::now();
    std::optional<Refusal> refusal = method_problem(request, response);
    if (!refusal) {
        refusal = framing_problem(
            request,
            static_cast<std::size_t>(std::max(state.config.max_body_bytes, 0)));
    }
    if (!refusal) {
        return httplib::Server::HandlerResponse::Unhandled;
    }
    // The body, if any, is unread: the connection cannot carry another
    // request.
    close_connection_after_response();
    response.set_header("Connection", "close");
    response.status = refusal->status;
    log_line(
        LogLevel::warn,
        "request refused status=" + std::to_string(refusal->status) +
            " reason=" + std::string(refusal->reason) +
            " method=" + loggable(request.method) +
            " path=" + loggable(request.path) + " address=" +
            loggable(client_address(request.remote_addr,
                                    request.get_header_value("X-Forwarded-For"),
                                    state.config.trusted_proxy)));
    return httplib::Server::HandlerResponse::Handled;
}

// "12.34ms", without printf's cost on every request.
std::string format_milliseconds(Clock::duration elapsed)
{
    const auto hundredths =
        std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() /
        10;
    std::string text = std::to_string(hundredths / 100);
    const auto fraction = hundredths % 100;
    text += fraction < 10 ? ".0" : ".";
    text += std::to_string(fraction);
    text += "ms";
    return text;
}

void log_access(const httplib::Request& request,
                const httplib::Response& response)
{
    Clock::duration elapsed{};
    if (t_request_start) {
        elapsed = Clock::now() - *t_request_start;
        t_request_start.reset();
    }
    std::string line = loggable(request.method);
    line += ' ';
    line += loggable(request.path);
    line += ' ';
    line += std::to_string(response.status);
    line += ' ';
    line += format_milliseconds(elapsed);
    log_line(LogLevel::info, line);
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

// The cores this process may run on: a server started under taskset or
// a CPU set gets fewer than the machine has, and a second concurrent hash
// on one core would only double its memory.
int core_count()
{
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) {
        return std::max(1, CPU_COUNT(&cpus));
    }
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// Requests that work at once (see WorkerPool): enough to keep every core
// busy while some wait on the disk, few enough that their database
// connections and caches stay small.
std::size_t worker_count(const core::Config& config)
{
    const int count =
        std::min(worker_thread_count(config), std::max(4, 2 * core_count()));
    return static_cast<std::size_t>(count);
}

} // namespace

int worker_thread_count(const core::Config& config)
{
    // Threads start on demand, so a generous default costs nothing idle;
    // it lets 32 browsers (and so 32 queued logins) each keep a
    // connection open.
    return config.threads > 0 ? config.threads
                              : std::max(64, 16 * core_count());
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
          WorkerPool(config.database_path, std::move(templates),
                     worker_count(config)),
          0})
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
    refuse_posts(http);
}

void App::install_hooks(httplib::Server& http)
{
    AppState& state = *m_state;
    http.set_pre_routing_handler(
        [&state](const httplib::Request& request, httplib::Response& response) {
            return check_request(state, request, response);
        });
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
