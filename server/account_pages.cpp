// /, /account, /account/password and /admin.

#include "core/error.hpp"
#include "core/store.hpp"
#include "server/log.hpp"
#include "server/pages.hpp"

#include <algorithm>
#include <charconv>

namespace mfo::server {
namespace {

constexpr std::int64_t k_admin_page_size = 50;

struct PasswordChange {
    std::string current;
    std::string replacement;
    std::string confirmation;
};

// "2026-12-03 16:23:12 UTC": the stored ISO form, easier on the eye.
std::string optional_time(const std::optional<core::Timestamp>& time)
{
    if (!time) {
        return "never";
    }
    std::string text = core::format_time(*time);
    std::replace(text.begin(), text.end(), 'T', ' ');
    if (text.ends_with('Z')) {
        text.pop_back();
        text += " UTC";
    }
    return text;
}

kainjow::mustache::list string_list(const std::vector<std::string>& items)
{
    kainjow::mustache::list list;
    for (const std::string& item : items) {
        list.emplace_back(item);
    }
    return list;
}

// Always set, even when empty: Mustache looks a missing name up in the
// enclosing context, so a user row without "roles" would show the page's
// role table instead.
void set_list(kainjow::mustache::data& data, const std::string& name,
              const std::vector<std::string>& items)
{
    data.set(name, string_list(items));
}

// Answers with the page this worker rendered earlier under `key`, or
// calls `render` (which sends the page) and keeps a 200 answer. Only for
// pages that depend on nothing but the database and the session: see
// PageCache for when they are forgotten.
template <typename Render>
void send_cached(Visit& visit, const std::string& key, Render render)
{
    PageCache& pages = visit.worker->pages;
    pages.sync(visit.worker->store, visit.data_version);
    if (const std::string* page = pages.find(key)) {
        visit.response.status = 200;
        visit.response.set_header("Cache-Control", "no-store");
        visit.response.set_content(*page, "text/html; charset=utf-8");
        return;
    }
    render();
    if (visit.response.status == 200) {
        pages.put(key, visit.response.body);
    }
}

// The cache key of a page as seen by this visitor: the page and the
// session's id hash, so one visitor never gets another's page.
std::string page_key(const Visit& visit, std::string_view page,
                     std::string_view detail = {})
{
    std::string key(page);
    key += '\n';
    if (visit.session) {
        key += visit.session->session.id_hash;
    }
    key += '\n';
    key += detail;
    return key;
}

void render_account(AppState& app, Visit& visit, std::string_view error = {})
{
    const core::User& user = visit.session->user;
    kainjow::mustache::data data =
        page_data(app, visit, "Your account", "account");
    data.set("email", user.email);
    set_list(data, "roles", user.roles);
    data.set("current_login_at", optional_time(user.current_login_at));
    data.set("current_login_ip", user.current_login_ip.value_or("unknown"));
    data.set("last_login_at", optional_time(user.last_login_at));
    data.set("last_login_ip", user.last_login_ip.value_or("unknown"));
    data.set("login_count", std::to_string(user.login_count));
    data.set("has_previous_login", user.login_count > 1);
    data.set("csrf_token", visit.session->session.csrf_token);
    data.set("min_length", std::to_string(app.password_policy.min_length));
    if (!error.empty()) {
        data.set("error", std::string(error));
    }
    if (visit.request.get_param_value("password") == "changed") {
        data.set("notice", std::string("Your password was changed. Every "
                                       "other session has been logged out."));
    }
    send_page(visit, "account", data);
}

std::optional<std::string> new_password_problem(const AppState& app,
                                                const core::User& user,
                                                const PasswordChange& change)
{
    if (const auto problem = core::password_problem(
            change.replacement, user.email, app.password_policy)) {
        return "Choose another password: " + *problem + ".";
    }
    if (change.replacement != change.confirmation) {
        return std::string("The two new passwords do not match.");
    }
    return std::nullopt;
}

bool is_current_password(AppState& app, const core::User& user,
                         std::string_view password)
{
    if (code_point_count(password) >
        static_cast<std::size_t>(app.password_policy.max_length)) {
        return false;
    }
    try {
        return app.hasher.verify(password, user.password).is_valid;
    } catch (const core::Error&) {
        return false;
    }
}

// Sets the new hash, which rotates the uniquifier and deletes every
// session of the user, then gives this browser a fresh session.
void replace_password(AppState& app, Visit& visit,
                      const core::PasswordHash& replacement)
{
    Worker& worker = *visit.worker;
    const bool is_persistent = visit.session->session.is_persistent;
    const std::int64_t user_id = visit.session->user.id;
    worker.store.set_password(user_id, replacement);
    worker.sessions.clear();
    visit.session.reset();

    const std::optional<core::User> user = worker.store.find_user(user_id);
    if (!user) {
        throw core::Error("user " + std::to_string(user_id) +
                          " vanished during a password change");
    }
    start_login(app, visit, *user, is_persistent);
}

// Checks the current password (bounded by the hash gate and the throttle
// key `key`), then replaces it and answers with a redirect.
void apply_password_change(AppState& app, Visit& visit,
                           const PasswordChange& change, const std::string& key)
{
    const core::User user = visit.session->user;
    bool is_current = false;
    std::optional<core::PasswordHash> replacement;
    const bool is_admitted = run_hash(app, visit, [&] {
        is_current = is_current_password(app, user, change.current);
        if (is_current) {
            replacement = app.hasher.hash(change.replacement);
        }
    });
    if (!is_admitted) {
        refuse_busy(app, visit);
        return;
    }
    if (!is_current || !replacement) {
        app.throttle.failed(key, visit.client, LoginThrottle::Clock::now());
        log_event("password change refused", user.email, visit);
        render_account(app, visit, "The current password is not correct.");
        return;
    }
    app.throttle.succeeded(key);
    replace_password(app, visit, *replacement);
    log_line(LogLevel::info, "password changed email=" + loggable(user.email) +
                                 " address=" + loggable(visit.client));
    redirect(visit, "/account?password=changed");
}

// ?after=<id> of the admin page; anything but a plain number is 0.
std::int64_t after_id(const httplib::Request& request)
{
    const std::string text = request.get_param_value("after");
    std::int64_t value = 0;
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0) {
        return 0;
    }
    return value;
}

kainjow::mustache::data user_row(const core::User& user)
{
    kainjow::mustache::data row;
    row.set("id", std::to_string(user.id));
    row.set("email", user.email);
    set_list(row, "roles", user.roles);
    row.set("is_active", user.is_active);
    row.set("last_login_at", optional_time(user.current_login_at));
    return row;
}

kainjow::mustache::data role_row(const core::Role& role)
{
    kainjow::mustache::data row;
    row.set("name", role.name);
    row.set("description", role.description);
    set_list(row, "permissions", role.permissions);
    row.set("user_count", std::to_string(role.user_count));
    return row;
}

void add_user_page(kainjow::mustache::data& data, core::Store& store,
                   std::int64_t after)
{
    // One row more than shown tells whether a next page exists without a
    // second query; the keyset (id > after) keeps every page fast.
    std::vector<core::User> users =
        store.list_users({std::nullopt, k_admin_page_size + 1, after});
    const bool has_more =
        users.size() > static_cast<std::size_t>(k_admin_page_size);
    if (has_more) {
        users.pop_back();
    }
    kainjow::mustache::list rows;
    for (const core::User& user : users) {
        rows.push_back(user_row(user));
    }
    data.set("users", rows);
    data.set("shown_count", std::to_string(users.size()));
    if (has_more) {
        data.set("next_after", std::to_string(users.back().id));
    }
    if (after > 0) {
        data.set("is_later_page", true);
    }
}

} // namespace

void show_home(AppState& app, Visit& visit)
{
    send_cached(visit, page_key(visit, "home"), [&] {
        send_page(visit, "home", page_data(app, visit, "Home", "home"));
    });
}

void show_account(AppState& app, Visit& visit)
{
    if (!visit.session) {
        redirect_to_login(visit);
        return;
    }
    // The notice after a password change is the one variant not cached.
    if (visit.request.has_param("password")) {
        render_account(app, visit);
        return;
    }
    send_cached(visit, page_key(visit, "account"),
                [&] { render_account(app, visit); });
}

void submit_password_change(AppState& app, Visit& visit)
{
    if (!has_session_csrf(visit)) {
        refuse_csrf(app, visit);
        return;
    }
    const core::User user = visit.session->user;
    const PasswordChange change{form_value(visit.form, "current_password"),
                                form_value(visit.form, "new_password"),
                                form_value(visit.form, "new_password_confirm")};
    if (auto problem = new_password_problem(app, user, change)) {
        render_account(app, visit, *problem);
        return;
    }
    const std::string key = "password-change:" + std::to_string(user.id);
    if (const auto wait = app.throttle.retry_after(
            key, visit.client, LoginThrottle::Clock::now())) {
        refuse_throttled(app, visit, *wait, user.email);
        return;
    }

    apply_password_change(app, visit, change, key);
}

void show_admin(AppState& app, Visit& visit)
{
    if (!visit.session) {
        redirect_to_login(visit);
        return;
    }
    if (!has_role(visit.session->user, app.config.admin_role)) {
        log_event("forbidden path=" + loggable(visit.request.path),
                  visit.session->user.email, visit);
        send_error(app, visit, 403);
        return;
    }
    const std::int64_t after = after_id(visit.request);
    send_cached(visit, page_key(visit, "admin", std::to_string(after)), [&] {
        core::Store& store = visit.worker->store;
        kainjow::mustache::data data = page_data(app, visit, "Admin", "admin");
        add_user_page(data, store, after);
        data.set("user_count", std::to_string(store.count_users()));
        kainjow::mustache::list roles;
        for (const core::Role& role : store.list_roles()) {
            roles.push_back(role_row(role));
        }
        data.set("roles", roles);
        send_page(visit, "admin", data);
    });
}

} // namespace mfo::server
