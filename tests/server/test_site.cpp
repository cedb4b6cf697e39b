#include "tests/server/test_site.hpp"

#include "core/crypto.hpp"
#include "server/http_util.hpp"
#include "server/log.hpp"

namespace mfo::test {

TestSite::TestSite()
{
    config.database_path = dir.file("mfo.db");
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 4;
    config.argon2_memory_kib = core::k_minimum_cost.memory_kib;
    config.argon2_iterations = core::k_minimum_cost.iterations;

    core::Store::initialize(config.database_path);
    core::Store store = open_store();
    store.set_meta("secret_key", core::random_token(32));
    store.create_role("admin", "May open the admin page", {"users.read"});
    add_user(k_admin_email, k_admin_password, {"admin"});
    add_user(k_user_email, k_user_password);

    server::set_log_sink([this](std::string_view line) {
        const std::lock_guard lock(m_log_mutex);
        m_log.emplace_back(line);
    });
}

TestSite::~TestSite()
{
    stop();
    server::set_log_sink({});
}

void TestSite::start()
{
    m_server = std::make_unique<server::Server>(config);
    m_server->start();
}

void TestSite::stop()
{
    if (m_server) {
        m_server->stop();
        m_server.reset();
    }
}

core::Store TestSite::open_store() const
{
    return core::Store::open(config.database_path);
}

core::PasswordHash TestSite::hash(const std::string& password) const
{
    const core::PasswordHasher hasher(
        core::HashCost{config.argon2_iterations, config.argon2_memory_kib},
        config.password_pepper, config.password_pepper);
    return hasher.hash(password);
}

core::User TestSite::add_user(const std::string& email,
                              const std::string& password,
                              const std::vector<std::string>& roles)
{
    core::NewUser user;
    user.email = email;
    user.password = hash(password);
    user.roles = roles;
    return open_store().create_user(user);
}

std::vector<std::string> TestSite::log_lines() const
{
    const std::lock_guard lock(m_log_mutex);
    return m_log;
}

Browser::Browser(const TestSite& site) : m_client("127.0.0.1", site.port())
{
    m_client.set_read_timeout(10);
}

httplib::Result Browser::get(const std::string& path)
{
    httplib::Result result = m_client.Get(path.c_str(), cookie_header());
    keep_cookies(result);
    return result;
}

httplib::Result
Browser::post(const std::string& path,
              const std::vector<std::pair<std::string, std::string>>& fields)
{
    httplib::Result result =
        m_client.Post(path.c_str(), cookie_header(), encode_form(fields),
                      "application/x-www-form-urlencoded");
    keep_cookies(result);
    return result;
}

httplib::Result
Browser::submit(const std::string& form_path, const std::string& action,
                std::vector<std::pair<std::string, std::string>> fields)
{
    const httplib::Result form = get(form_path);
    const std::string token =
        form ? input_value(form->body, "csrf_token") : std::string();
    fields.emplace_back("csrf_token", token);
    return post(action, fields);
}

httplib::Result Browser::log_in(const std::string& email,
                                const std::string& password, bool remember)
{
    std::vector<std::pair<std::string, std::string>> fields = {
        {"email", email}, {"password", password}};
    if (remember) {
        fields.emplace_back("remember", "1");
    }
    return submit("/login", "/login", fields);
}

std::string Browser::logout_token(const std::string& path)
{
    const httplib::Result page = get(path);
    return page ? input_value(page->body, "csrf_token") : std::string();
}

void Browser::keep_cookies(const httplib::Result& result)
{
    if (!result) {
        return;
    }
    const auto [first, last] = result->headers.equal_range("Set-Cookie");
    for (auto it = first; it != last; ++it) {
        const std::string& line = it->second;
        const auto equals = line.find('=');
        const auto end = line.find(';');
        const std::string name = line.substr(0, equals);
        const std::string value = line.substr(equals + 1, end - equals - 1);
        if (value.empty() || line.find("Max-Age=0") != std::string::npos) {
            cookies.erase(name);
        } else {
            cookies[name] = value;
        }
    }
}

httplib::Headers Browser::cookie_header() const
{
    std::string header;
    for (const auto& [name, value] : cookies) {
        header += (header.empty() ? "" : "; ") + name + "=" + value;
    }
    if (header.empty()) {
        return {};
    }
    return {{"Cookie", header}};
}

std::string input_value(const std::string& html, const std::string& name)
{
    const std::string marker = "name=\"" + name + "\" value=\"";
    const auto start = html.find(marker);
    if (start == std::string::npos) {
        return {};
    }
    const auto value_start = start + marker.size();
    return html.substr(value_start, html.find('"', value_start) - value_start);
}

std::string
encode_form(const std::vector<std::pair<std::string, std::string>>& fields)
{
    std::string body;
    for (const auto& [name, value] : fields) {
        body += (body.empty() ? "" : "&") + server::url_encode(name) + "=" +
                server::url_encode(value);
    }
    return body;
}

} // namespace mfo::test
