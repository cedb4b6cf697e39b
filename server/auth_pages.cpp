// /login, /logout and /register.

#include "core/email.hpp"
#include "core/error.hpp"
#include "server/log.hpp"
#include "server/pages.hpp"

namespace mfo::server {
namespace {

constexpr std::string_view k_login_failed = "Invalid email or password.";
constexpr std::string_view k_after_login = "/account";

struct LoginForm {
    std::string email;
    std::string password;
    std::string next;
    bool is_persistent = false;
};

struct RegisterForm {
    std::string email;
    std::string password;
    std::string password_confirm;
};

std::string safe_next(std::string_view next)
{
    return is_local_path(next) ? std::string(next) : std::string(k_after_login);
}

// Throttling key for an email: its case-folded form when it is a valid
// email, so "A@x" and "a@x" share one counter.
std::string account_key(std::string_view email)
{
    if (core::email_problem(email)) {
        return "invalid:" + std::string(email.substr(0, 254));
    }
    return core::email_key(email);
}

void render_login(AppState& app, Visit& visit, const LoginForm& form,
                  std::string_view error = {})
{
    kainjow::mustache::data data = page_data(app, visit, "Log in", "login");
    data.set("csrf_token", ensure_anonymous_csrf(app, visit));
    data.set("email", form.email);
    data.set("remember", form.is_persistent);
    if (is_local_path(form.next)) {
        data.set("next", form.next);
    }
    if (!error.empty()) {
        data.set("error", std::string(error));
    }
    send_page(visit, "login", data);
}

LoginForm read_login_form(const Visit& visit)
{
    LoginForm form;
    form.email = form_value(visit.form, "email");
    form.password = form_value(visit.form, "password");
    form.next = form_value(visit.form, "next");
    form.is_persistent = !form_value(visit.form, "remember").empty();
    return form;
}

// Verifies without throwing: a password that is not valid UTF-8 simply
// does not match.
core::VerifyResult verify_quietly(const core::PasswordHasher& hasher,
                                  std::string_view password,
                                  const core::PasswordHash& stored)
{
    try {
        return hasher.verify(password, stored);
    } catch (const core::Error&) {
        hasher.verify_dummy("");
        return {};
    }
}

bool is_too_long(const AppState& app, std::string_view password)
{
    return code_point_count(password) >
           static_cast<std::size_t>(app.password_policy.max_length);
}

void finish_login(AppState& app, Visit& visit, const core::User& user,
                  const LoginForm& form)
{
    visit.worker->store.record_login(user.id, visit.client);
    start_login(app, visit, user, form.is_persistent);
    log_line(LogLevel::info, "login succeeded email=" + loggable(user.email) +
                                 " address=" + loggable(visit.client));
    redirect(visit, safe_next(form.next));
}

std::optional<std::string> registration_problem(AppState& app, Visit& visit,
                                                const RegisterForm& form)
{
    if (const auto problem = core::email_problem(form.email)) {
        return "Enter a valid email address: " + *problem + ".";
    }
    if (const auto problem = core::password_problem(form.password, form.email,
                                                    app.password_policy)) {
        return "Choose another password: " + *problem + ".";
    }
    if (form.password != form.password_confirm) {
        return std::string("The two passwords do not match.");
    }
    if (visit.worker->store.find_user_by_email(form.email)) {
        return std::string("An account with this email already exists.");
    }
    return std::nullopt;
}

void render_register(AppState& app, Visit& visit, const RegisterForm& form,
                     std::string_view error = {})
{
    kainjow::mustache::data data =
        page_data(app, visit, "Register", "register");
    data.set("csrf_token", ensure_anonymous_csrf(app, visit));
    data.set("email", form.email);
    data.set("min_length", std::to_string(app.password_policy.min_length));
    if (!error.empty()) {
        data.set("error", std::string(error));
    }
    send_page(visit, "register", data);
}

// Creates the account with the password hashed beforehand, or returns
// the message for a refused one.
std::optional<std::string> create_account(Visit& visit,
                                          const RegisterForm& form,
                                          core::PasswordHash password,
                                          core::User& created)
{
    core::NewUser new_user;
    new_user.email = form.email;
    new_user.password = std::move(password);
    try {
        created = visit.worker->store.create_user(new_user);
    } catch (const core::Error& error) {
        if (error.kind() != core::Error::Kind::conflict &&
            error.kind() != core::Error::Kind::invalid) {
            throw;
        }
        return error.kind() == core::Error::Kind::conflict
                   ? "An account with this email already exists."
                   : "This account cannot be created: " +
                         std::string(error.what()) + ".";
    }
    visit.worker->sessions.clear();
    return std::nullopt;
}

struct LoginCheck {
    std::optional<core::User> user;
    bool is_busy = false; // too many password checks already queued
};

// The user whose email and password match, or nothing. An unknown email
// is checked against a dummy hash, so it takes as long as a wrong
// password. An inactive account gets the same answer as a wrong
// password, even with the right one, so it reveals nothing. An
// over-long password fails without any hashing.
LoginCheck check_login(AppState& app, Visit& visit, const LoginForm& form)
{
    if (is_too_long(app, form.password)) {
        return {};
    }
    std::optional<core::User> user;
    if (!core::email_problem(form.email)) {
        user = visit.worker->store.find_user_by_email(form.email);
    }
    core::VerifyResult result;
    std::optional<core::PasswordHash> upgraded;
    const bool is_admitted = run_hash(app, visit, [&] {
        if (!user) {
            app.hasher.verify_dummy(form.password);
            return;
        }
        result = verify_quietly(app.hasher, form.password, user->password);
        if (result.is_valid && user->is_active && result.needs_rehash) {
            upgraded = app.hasher.hash(form.password);
        }
    });
    if (!is_admitted) {
        return {std::nullopt, true};
    }
    if (!user || !result.is_valid || !user->is_active) {
        return {};
    }
    if (upgraded) {
        visit.worker->store.upgrade_password_hash(user->id, *upgraded);
        visit.worker->sessions.clear();
    }
    return {user, false};
}

void register_account(AppState& app, Visit& visit, const RegisterForm& form)
{
    core::PasswordHash password;
    if (!run_hash(app, visit,
                  [&] { password = app.hasher.hash(form.password); })) {
        refuse_busy(app, visit);
        return;
    }
    core::User user;
    if (auto problem = create_account(visit, form, std::move(password), user)) {
        render_register(app, visit, form, *problem);
        return;
    }
    log_line(LogLevel::info, "registered email=" + loggable(user.email) +
                                 " address=" + loggable(visit.client));
    visit.worker->store.record_login(user.id, visit.client);
    start_login(app, visit, user, false);
    redirect(visit, std::string(k_after_login));
}

} // namespace

void show_login(AppState& app, Visit& visit)
{
    LoginForm form;
    form.next = visit.request.get_param_value("next");
    if (visit.session) {
        redirect(visit, safe_next(form.next));
        return;
    }
    render_login(app, visit, form);
}

void submit_login(AppState& app, Visit& visit)
{
    if (!has_anonymous_csrf(app, visit)) {
        refuse_csrf(app, visit);
        return;
    }
    const LoginForm form = read_login_form(visit);
    const std::string key = account_key(form.email);
    if (const auto wait = app.throttle.retry_after(
            key, visit.client, LoginThrottle::Clock::now())) {
        refuse_throttled(app, visit, *wait, form.email);
        return;
    }
    const LoginCheck check = check_login(app, visit, form);
    if (check.is_busy) {
        refuse_busy(app, visit);
    } else if (!check.user) {
        app.throttle.failed(key, visit.client, LoginThrottle::Clock::now());
        log_event("login failed", form.email, visit);
        render_login(app, visit, form, k_login_failed);
    } else {
        app.throttle.succeeded(key);
        finish_login(app, visit, *check.user, form);
    }
}

void submit_logout(AppState& app, Visit& visit)
{
    if (!visit.session) {
        // Nothing to end: an anonymous visitor is already logged out.
        redirect(visit, "/");
        return;
    }
    if (!has_session_csrf(visit)) {
        refuse_csrf(app, visit);
        return;
    }
    end_session(visit.worker->store, visit.worker->sessions,
                visit.session->session.id_hash);
    visit.session.reset();
    visit.response.set_header("Set-Cookie", expired_session_cookie(app.policy));
    redirect(visit, "/");
}

void show_register(AppState& app, Visit& visit)
{
    if (!app.config.registerable) {
        send_error(app, visit, 404);
        return;
    }
    if (visit.session) {
        redirect(visit, std::string(k_after_login));
        return;
    }
    render_register(app, visit, RegisterForm{});
}

// Limitation: registrations are not rate-limited per address; only the
// hash gate bounds how fast accounts can be created.
void submit_register(AppState& app, Visit& visit)
{
    if (!app.config.registerable) {
        send_error(app, visit, 404);
        return;
    }
    if (!has_anonymous_csrf(app, visit)) {
        refuse_csrf(app, visit);
        return;
    }
    // Only these three fields are read; anything else (roles=admin) is
    // ignored.
    RegisterForm form{form_value(visit.form, "email"),
                      form_value(visit.form, "password"),
                      form_value(visit.form, "password_confirm")};
    if (auto problem = registration_problem(app, visit, form)) {
        render_register(app, visit, form, *problem);
        return;
    }
    register_account(app, visit, form);
}

} // namespace mfo::server
