#include "core/config.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <initializer_list>

using mfo::core::Config;
using mfo::core::config_keys;
using mfo::core::ConfigError;
using mfo::core::ConfigRequest;
using mfo::core::describe_config;
using mfo::core::load_config;
using mfo::core::Source;
using mfo::test::TempDir;

namespace {

// A stand-in for ::environ, so tests never read or change the real one.
class FakeEnvironment {
public:
    FakeEnvironment(std::initializer_list<std::string> entries)
        : m_entries(entries)
    {
        for (std::string& entry : m_entries) {
            m_pointers.push_back(entry.data());
        }
        m_pointers.push_back(nullptr);
    }

    char** get() { return m_pointers.data(); }

private:
    std::vector<std::string> m_entries;
    std::vector<char*> m_pointers;
};

// Empty explicit files, so a mfo.conf or .env in the working directory of
// the test run cannot leak in.
ConfigRequest isolated_request(const TempDir& dir, FakeEnvironment& env)
{
    ConfigRequest request;
    request.config_file = dir.write("empty.conf", "");
    request.env_file = dir.write("empty.env", "");
    request.environment = env.get();
    return request;
}

Config load_with_environment(std::initializer_list<std::string> entries)
{
    const TempDir dir;
    FakeEnvironment env(entries);
    return load_config(isolated_request(dir, env));
}

Config load_with_config_file(const std::string& text)
{
    const TempDir dir;
    FakeEnvironment env{};
    ConfigRequest request = isolated_request(dir, env);
    request.config_file = dir.write("mfo.conf", text);
    return load_config(request);
}

// Changes the working directory for one test and restores it.
class WorkingDirectory {
public:
    explicit WorkingDirectory(const std::filesystem::path& path)
        : m_previous(std::filesystem::current_path())
    {
        std::filesystem::current_path(path);
    }
    ~WorkingDirectory() { std::filesystem::current_path(m_previous); }
    WorkingDirectory(const WorkingDirectory&) = delete;
    WorkingDirectory& operator=(const WorkingDirectory&) = delete;

private:
    std::filesystem::path m_previous;
};

} // namespace

TEST_CASE("config uses the documented defaults when nothing is set", "[core]")
{
    const Config config = load_with_environment({});

    CHECK(config.database_path == "mfo.db");
    CHECK(config.port == 5000);
    CHECK(config.registerable);
    CHECK(config.argon2_memory_kib == 65536u);
    CHECK(config.sources.size() == config_keys().size());
    CHECK(config.sources.at("port").kind == Source::Kind::built_in);
    CHECK(config.sources.at("port").describe() == "default");
}

TEST_CASE("config layers file, .env, environment and flags, later wins",
          "[core]")
{
    const TempDir dir;
    FakeEnvironment env{"MFO_ADMIN_ROLE=env-role", "MFO_HOST=10.0.0.3"};
    ConfigRequest request;
    request.config_file = dir.write("mfo.conf", "threads = 3\nport = 1\n"
                                                "admin_role = conf-role\n"
                                                "host = 10.0.0.1\n");
    request.env_file = dir.write(".env", "MFO_PORT=2\nMFO_ADMIN_ROLE=x\n"
                                         "MFO_HOST=10.0.0.2\n");
    request.environment = env.get();
    request.flags = {{"host", "10.0.0.4"}};

    const Config config = load_config(request);

    CHECK(config.max_body_bytes == 65536);
    CHECK(config.sources.at("max_body_bytes").describe() == "default");
    CHECK(config.threads == 3);
    CHECK(config.sources.at("threads").describe() == dir.file("mfo.conf:1"));
    CHECK(config.port == 2);
    CHECK(config.sources.at("port").kind == Source::Kind::dotenv);
    CHECK(config.sources.at("port").describe() == dir.file(".env:1"));
    CHECK(config.admin_role == "env-role");
    CHECK(config.sources.at("admin_role").describe() == "env MFO_ADMIN_ROLE");
    CHECK(config.host == "10.0.0.4");
    CHECK(config.sources.at("host").kind == Source::Kind::flag);
    CHECK(config.sources.at("host").describe() == "--host");
}

TEST_CASE("config records a flag source with dashes", "[core]")
{
    const TempDir dir;
    FakeEnvironment env{};
    ConfigRequest request = isolated_request(dir, env);
    request.flags = {{"session_idle_timeout", "60"}};

    const Config config = load_config(request);

    CHECK(config.session_idle_timeout == 60);
    CHECK(config.sources.at("session_idle_timeout").describe() ==
          "--session-idle-timeout");
}

TEST_CASE("config file accepts comments, quotes and an [mfo] section", "[core]")
{
    const Config config =
        load_with_config_file("# comment\n; another\n\n[mfo]\n"
                              "admin_role = \"super user\"  # quoted\n"
                              "templates_dir = '/srv/t#1'\n"
                              "host = ::1 ; inline\n"
                              "secure_cookies=yes\n");

    CHECK(config.admin_role == "super user");
    CHECK(config.templates_dir == "/srv/t#1");
    CHECK(config.host == "::1");
    CHECK(config.secure_cookies);
}

TEST_CASE("config file rejects an unknown key naming file and line", "[core]")
{
    const TempDir dir;
    FakeEnvironment env{};
    ConfigRequest request = isolated_request(dir, env);
    request.config_file = dir.write("mfo.conf", "port = 1\n\nprot = 2\n");

    CHECK_THROWS_WITH(load_config(request),
                      dir.file("mfo.conf") + ":3: unknown key 'prot'");
}

TEST_CASE("config file rejects a section other than [mfo]", "[core]")
{
    CHECK_THROWS_WITH(load_with_config_file("[server]\nport = 1\n"),
                      Catch::Contains("mfo.conf:1: unknown section [server]"));
}

TEST_CASE("config file rejects a line without an equals sign", "[core]")
{
    CHECK_THROWS_WITH(load_with_config_file("port 80\n"),
                      Catch::Contains("mfo.conf:1: expected 'key = value'"));
}

TEST_CASE("config names the file and line of a bad value", "[core]")
{
    const TempDir dir;
    FakeEnvironment env{};
    ConfigRequest request = isolated_request(dir, env);
    request.config_file = dir.write("mfo.conf", "[mfo]\nport = 70000\n");

    CHECK_THROWS_WITH(load_config(request),
                      "port: '70000' must be between 0 and 65535 (" +
                          dir.file("mfo.conf") + ":2)");
}

TEST_CASE("config fails when an explicit --config file is missing", "[core]")
{
    const TempDir dir;
    FakeEnvironment env{};
    ConfigRequest request = isolated_request(dir, env);
    request.config_file = dir.file("absent.conf");

    CHECK_THROWS_AS(load_config(request), ConfigError);
    CHECK_THROWS_WITH(load_config(request), "config file '" +
                                                dir.file("absent.conf") +
                                                "' does not exist");
}

TEST_CASE("config fails when an explicit --env-file is missing", "[core]")
{
    const TempDir dir;
    FakeEnvironment env{};
    ConfigRequest request = isolated_request(dir, env);
    request.env_file = dir.file("absent.env");

    CHECK_THROWS_WITH(load_config(request),
                      Catch::Contains("absent.env' does not exist"));
}

TEST_CASE("config reads mfo.conf and .env from the working directory", "[core]")
{
    const TempDir dir;
    dir.write("mfo.conf", "threads = 7\n");
    dir.write(".env", "MFO_PORT=8123\n");
    FakeEnvironment env{};
    ConfigRequest request;
    request.environment = env.get();
    const WorkingDirectory inside(dir.path());

    const Config config = load_config(request);

    CHECK(config.threads == 7);
    CHECK(config.sources.at("threads").describe() == "mfo.conf:1");
    CHECK(config.port == 8123);
    CHECK(config.sources.at("port").describe() == ".env:1");
}

TEST_CASE("config works without mfo.conf or .env in the working directory",
          "[core]")
{
    const TempDir dir;
    FakeEnvironment env{"MFO_PORT=81"};
    ConfigRequest request;
    request.environment = env.get();
    const WorkingDirectory inside(dir.path());

    CHECK(load_config(request).port == 81);
}

TEST_CASE("config takes only mfo names and aliases from a .env file", "[core]")
{
    const TempDir dir;
    FakeEnvironment env{};
    ConfigRequest request = isolated_request(dir, env);
    request.env_file =
        dir.write(".env", "FLASK_APP=app.py\nMAIL_SERVER=smtp\nport=1\n"
                          "# note\nexport MFO_THREADS=4 # four\n");

    const Config config = load_config(request);

    CHECK(config.port == 5000);
    CHECK(config.threads == 4);
    CHECK(config.sources.at("threads").describe() == dir.file(".env:5"));
}

TEST_CASE("config accepts the Flask names of settings", "[core]")
{
    const Config config = load_with_environment(
        {"SECRET_KEY=s1", "SECURITY_PASSWORD_SALT=pepper",
         "SECURITY_REGISTERABLE=False", "SESSION_COOKIE_SECURE=True",
         "SECURITY_PASSWORD_LENGTH_MIN=12",
         "SQLALCHEMY_DATABASE_URI=sqlite:///instance/app.db"});

    CHECK(config.secret_key == "s1");
    CHECK(config.sources.at("secret_key").describe() == "env SECRET_KEY");
    CHECK(config.password_pepper == "pepper");
    CHECK_FALSE(config.registerable);
    CHECK(config.secure_cookies);
    CHECK(config.password_min_length == 12);
    CHECK(config.database_path == "instance/app.db");
}

TEST_CASE("config prefers FLASK_SECRET_KEY over SECRET_KEY", "[core]")
{
    const Config config =
        load_with_environment({"SECRET_KEY=plain", "FLASK_SECRET_KEY=flask"});

    CHECK(config.secret_key == "flask");
}

TEST_CASE("config prefers the MFO_ name over an alias in one layer", "[core]")
{
    const Config config = load_with_environment(
        {"SECRET_KEY=alias", "MFO_SECRET_KEY=own", "SESSION_COOKIE_SECURE=1",
         "MFO_SECURE_COOKIES=off"});

    CHECK(config.secret_key == "own");
    CHECK(config.sources.at("secret_key").describe() == "env MFO_SECRET_KEY");
    CHECK_FALSE(config.secure_cookies);
}

TEST_CASE("config lets an alias in the environment beat the .env file",
          "[core]")
{
    const TempDir dir;
    FakeEnvironment env{"SECRET_KEY=from-env"};
    ConfigRequest request = isolated_request(dir, env);
    request.env_file = dir.write(".env", "MFO_SECRET_KEY=from-dotenv\n");

    CHECK(load_config(request).secret_key == "from-env");
}

TEST_CASE("config reads an absolute sqlite URL as an absolute path", "[core]")
{
    const Config config = load_with_environment(
        {"SQLALCHEMY_DATABASE_URI=sqlite:////var/lib/app/x.db"});

    CHECK(config.database_path == "/var/lib/app/x.db");
}

TEST_CASE("config accepts a sqlite URL in MFO_DATABASE", "[core]")
{
    const Config config =
        load_with_environment({"MFO_DATABASE=sqlite:///data/mfo.db"});

    CHECK(config.database_path == "data/mfo.db");
    CHECK(config.sources.at("database").describe() == "env MFO_DATABASE");
}

TEST_CASE("config keeps a plain relative database path as written", "[core]")
{
    CHECK(load_with_config_file("database = db/users.db\n").database_path ==
          "db/users.db");
}

TEST_CASE("config rejects an in-memory sqlite URL", "[core]")
{
    CHECK_THROWS_WITH(
        load_with_environment({"SQLALCHEMY_DATABASE_URI=sqlite://"}),
        Catch::Contains("database: 'sqlite://'") &&
            Catch::Contains("only sqlite:/// URLs are supported") &&
            Catch::Contains("(env SQLALCHEMY_DATABASE_URI)"));
}

TEST_CASE("config rejects other database schemes without echoing the URL",
          "[core]")
{
    const std::string url = "postgresql://app:hunter2@db/app";
    try {
        load_with_environment({"SQLALCHEMY_DATABASE_URI=" + url});
        FAIL("no error");
    } catch (const ConfigError& error) {
        const std::string message = error.what();
        CHECK(message ==
              "database: postgresql URLs are not supported; only sqlite:/// "
              "URLs are supported (env SQLALCHEMY_DATABASE_URI)");
        CHECK(message.find("hunter2") == std::string::npos);
    }
}

TEST_CASE("config accepts every documented boolean spelling", "[core]")
{
    for (const std::string yes : {"true", "True", "YES", "on", "1"}) {
        CHECK(load_with_environment({"MFO_SECURE_COOKIES=" + yes})
                  .secure_cookies);
    }
    for (const std::string no : {"false", "False", "no", "OFF", "0"}) {
        CHECK_FALSE(
            load_with_environment({"MFO_REGISTERABLE=" + no}).registerable);
    }
}

TEST_CASE("config rejects a bad boolean naming the .env line", "[core]")
{
    const TempDir dir;
    FakeEnvironment env{};
    ConfigRequest request = isolated_request(dir, env);
    request.env_file =
        dir.write(".env", "A=1\nB=2\n\nSECURITY_REGISTERABLE=maybe\n");

    CHECK_THROWS_WITH(load_config(request),
                      "registerable: 'maybe' is not a boolean (use true or "
                      "false) (" +
                          dir.file(".env") + ":4)");
}

TEST_CASE("config rejects a bad number naming the variable", "[core]")
{
    CHECK_THROWS_WITH(load_with_environment({"MFO_PORT=abc"}),
                      "port: 'abc' is not a number (env MFO_PORT)");
    CHECK_THROWS_WITH(load_with_environment({"MFO_PORT=80x"}),
                      "port: '80x' is not a number (env MFO_PORT)");
}

TEST_CASE("config checks the ranges of numbers", "[core]")
{
    CHECK(load_with_environment({"MFO_PORT=0"}).port == 0);
    CHECK_THROWS_AS(load_with_environment({"MFO_THREADS=257"}), ConfigError);
    CHECK_THROWS_WITH(load_with_environment({"MFO_SESSION_LIFETIME=0"}),
                      "session_lifetime: '0' must be at least 1 "
                      "(env MFO_SESSION_LIFETIME)");
    CHECK_THROWS_AS(load_with_environment({"MFO_ARGON2_MEMORY_KIB=1024"}),
                    ConfigError);
    CHECK_THROWS_AS(load_with_environment({"MFO_ARGON2_ITERATIONS=1"}),
                    ConfigError);
    CHECK_THROWS_AS(load_with_environment({"MFO_MAX_BODY_BYTES=100"}),
                    ConfigError);
    CHECK_THROWS_AS(load_with_environment({"MFO_PORT=-1"}), ConfigError);
    CHECK_THROWS_AS(load_with_environment({"MFO_PORT=99999999999999999999"}),
                    ConfigError);
}

TEST_CASE("config rejects a maximum password length below the minimum",
          "[core]")
{
    CHECK_THROWS_WITH(
        load_with_environment(
            {"MFO_PASSWORD_MIN_LENGTH=20", "MFO_PASSWORD_MAX_LENGTH=10"}),
        "password_max_length (10, env MFO_PASSWORD_MAX_LENGTH) is less than "
        "password_min_length (20, env MFO_PASSWORD_MIN_LENGTH)");
}

TEST_CASE("config accepts an IP address or nothing as trusted proxy", "[core]")
{
    CHECK(load_with_environment({"MFO_TRUSTED_PROXY=10.1.2.3"}).trusted_proxy ==
          "10.1.2.3");
    CHECK(load_with_environment({"MFO_TRUSTED_PROXY=::1"}).trusted_proxy ==
          "::1");
    CHECK_THROWS_WITH(load_with_environment({"MFO_TRUSTED_PROXY=proxy"}),
                      "trusted_proxy: 'proxy' is not an IP address "
                      "(env MFO_TRUSTED_PROXY)");
}

TEST_CASE("config ignores a bad value that a later layer overrides", "[core]")
{
    const TempDir dir;
    FakeEnvironment env{"MFO_PORT=abc"};
    ConfigRequest request = isolated_request(dir, env);
    request.flags = {{"port", "8080"}};

    CHECK(load_config(request).port == 8080);
}

TEST_CASE("config rejects a flag for an unknown key", "[core]")
{
    const TempDir dir;
    FakeEnvironment env{};
    ConfigRequest request = isolated_request(dir, env);
    request.flags = {{"colour", "1"}};

    CHECK_THROWS_AS(load_config(request), ConfigError);
}

TEST_CASE("config keys document every setting", "[core]")
{
    const auto& keys = config_keys();

    REQUIRE(keys.size() == 19);
    for (const auto& key : keys) {
        CHECK_FALSE(key.description.empty());
    }
    const auto port = std::find_if(
        keys.begin(), keys.end(), [](auto& key) { return key.name == "port"; });
    REQUIRE(port != keys.end());
    CHECK(port->env_name == "MFO_PORT");
    CHECK(port->default_value == "5000");
    CHECK(keys[0].name == "database");
    CHECK(keys[0].aliases ==
          std::vector<std::string>{"SQLALCHEMY_DATABASE_URI"});
}

TEST_CASE("describe_config redacts secrets and shows sources", "[core]")
{
    const Config config =
        load_with_environment({"MFO_SECRET_KEY=topsecret", "MFO_PORT=81"});

    const auto lines = describe_config(config);

    REQUIRE(lines.size() == config_keys().size());
    for (const auto& line : lines) {
        CHECK(line.value.find("topsecret") == std::string::npos);
        if (line.key == "secret_key") {
            CHECK(line.value == "(set, redacted)");
            CHECK(line.source == "env MFO_SECRET_KEY");
        } else if (line.key == "password_pepper") {
            CHECK(line.value == "(not set)");
            CHECK(line.source == "default");
        } else if (line.key == "port") {
            CHECK(line.value == "81");
        } else if (line.key == "registerable") {
            CHECK(line.value == "true");
        }
    }
}
