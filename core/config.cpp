#include "core/config.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <climits>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string_view>
#include <unistd.h>

namespace mfo::core {

std::string Source::describe() const
{
    switch (kind) {
    case Kind::built_in:
        return "default";
    case Kind::environment:
        return "env " + where;
    case Kind::config_file:
    case Kind::dotenv:
    case Kind::flag:
        return where;
    }
    return where;
}

namespace {

// How one key turns text into its field, and its field back into text.
struct Rule {
    ConfigKey key;
    std::function<void(Config&, const ConfigKey&, const std::string&,
                       const Source&)>
        assign;
    std::function<std::string(const Config&)> show;
};

// A value some layer gave a key; a later layer replaces it.
struct Candidate {
    std::string value;
    Source source;
};
using Candidates = std::map<std::string, Candidate>;

// Never puts a secret key's value in the message, since errors get printed.
[[noreturn]] void reject(const ConfigKey& key, const std::string& value,
                         const Source& source, const std::string& reason)
{
    if (key.is_secret) {
        throw ConfigError(key.name + ": invalid value (" + source.describe() +
                          ")");
    }
    throw ConfigError(key.name + ": '" + value + "' " + reason + " (" +
                      source.describe() + ")");
}

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return text;
}

std::string uppercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    return text;
}

std::string trim(std::string_view text)
{
    const auto is_blank = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
    };
    while (!text.empty() && is_blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_blank(text.back())) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

long long parse_integer(const ConfigKey& key, const std::string& value,
                        const Source& source, long long min, long long max)
{
    long long number = 0;
    const char* end = value.data() + value.size();
    const auto [stop, error] = std::from_chars(value.data(), end, number);
    if (value.empty() || stop != end || error == std::errc::invalid_argument) {
        reject(key, value, source, "is not a number");
    }
    if (error == std::errc::result_out_of_range || number < min ||
        number > max) {
        reject(key, value, source,
               max >= INT_MAX ? "must be at least " + std::to_string(min)
                              : "must be between " + std::to_string(min) +
                                    " and " + std::to_string(max));
    }
    return number;
}

// Python's str(True) is "True", so Flask settings spell it that way.
bool parse_boolean(const ConfigKey& key, const std::string& value,
                   const Source& source)
{
    const std::string word = lowercase(value);
    if (word == "true" || word == "yes" || word == "on" || word == "1") {
        return true;
    }
    if (word == "false" || word == "no" || word == "off" || word == "0") {
        return false;
    }
    reject(key, value, source, "is not a boolean (use true or false)");
}

// A plain path, or an SQLAlchemy URL as Flask-SQLAlchemy takes it:
// sqlite:///relative.db or sqlite:////absolute.db. Other databases are out
// of scope, and a URL with a scheme other than sqlite may hold a password,
// so only its scheme is echoed.
std::string parse_database(const ConfigKey& key, const std::string& value,
                           const Source& source)
{
    const std::string supported = "only sqlite:/// URLs are supported";
    const size_t scheme_end = value.find("://");
    if (scheme_end == std::string::npos) {
        if (value.empty()) {
            reject(key, value, source, "is not a database path");
        }
        return value;
    }
    const std::string scheme = lowercase(value.substr(0, scheme_end));
    if (scheme != "sqlite" && !scheme.starts_with("sqlite+")) {
        throw ConfigError(key.name + ": " + scheme + " URLs are not " +
                          "supported; " + supported + " (" + source.describe() +
                          ")");
    }
    const std::string rest = value.substr(scheme_end + 3);
    if (rest.empty() || rest == "/" || rest == "/:memory:") {
        reject(key, value, source, "is an in-memory database; " + supported);
    }
    if (rest.front() != '/' || rest.find('?') != std::string::npos) {
        reject(key, value, source, "has a host or parameters; " + supported);
    }
    return rest.substr(1);
}

bool is_ip_address(const std::string& text)
{
    unsigned char buffer[sizeof(in6_addr)];
    return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
           inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

Rule make_rule(const std::string& name, const std::string& description,
               std::vector<std::string> aliases)
{
    Rule rule;
    rule.key.name = name;
    rule.key.env_name = "MFO_" + uppercase(name);
    rule.key.aliases = std::move(aliases);
    rule.key.description = description;
    return rule;
}

template <typename Number>
Rule number_rule(const std::string& name, Number Config::*field, long long min,
                 long long max, const std::string& description,
                 std::vector<std::string> aliases = {})
{
    Rule rule = make_rule(name, description, std::move(aliases));
    rule.assign = [field, min, max](Config& config, const ConfigKey& key,
                                    const std::string& value,
                                    const Source& source) {
        config.*field =
            static_cast<Number>(parse_integer(key, value, source, min, max));
    };
    rule.show = [field](const Config& config) {
        return std::to_string(config.*field);
    };
    return rule;
}

Rule boolean_rule(const std::string& name, bool Config::*field,
                  const std::string& description,
                  std::vector<std::string> aliases = {})
{
    Rule rule = make_rule(name, description, std::move(aliases));
    rule.assign = [field](Config& config, const ConfigKey& key,
                          const std::string& value, const Source& source) {
        config.*field = parse_boolean(key, value, source);
    };
    rule.show = [field](const Config& config) {
        return std::string(config.*field ? "true" : "false");
    };
    return rule;
}

// `check` returns why a value is refused, or an empty string.
using TextCheck = std::function<std::string(const std::string&)>;

Rule text_rule(const std::string& name, std::string Config::*field,
               const std::string& description, TextCheck check,
               std::vector<std::string> aliases = {})
{
    Rule rule = make_rule(name, description, std::move(aliases));
    rule.assign = [field, check](Config& config, const ConfigKey& key,
                                 const std::string& value,
                                 const Source& source) {
        if (const std::string problem = check ? check(value) : "";
            !problem.empty()) {
            reject(key, value, source, problem);
        }
        config.*field = value;
    };
    rule.show = [field](const Config& config) { return config.*field; };
    return rule;
}

Rule secret_rule(const std::string& name, std::string Config::*field,
                 const std::string& description,
                 std::vector<std::string> aliases)
{
    Rule rule = text_rule(name, field, description, {}, std::move(aliases));
    rule.key.is_secret = true;
    return rule;
}

std::string require_text(const std::string& value)
{
    return value.empty() ? "must not be empty" : "";
}

// Relative database paths, from any source, stay relative to the working
// directory of mfo, as SQLAlchemy treats sqlite:///relative.db.
Rule database_rule()
{
    Rule rule = make_rule("database",
                          "SQLite database file: a path (relative to the "
                          "working directory) or a sqlite:/// URL",
                          {"SQLALCHEMY_DATABASE_URI"});
    rule.assign = [](Config& config, const ConfigKey& key,
                     const std::string& value, const Source& source) {
        config.database_path = parse_database(key, value, source);
    };
    rule.show = [](const Config& config) { return config.database_path; };
    return rule;
}

// Aliases are the names a Flask-Security-Too deployment already sets; the
// earlier alias wins when a layer has several.
std::vector<Rule> make_rules()
{
    std::vector<Rule> rules;
    rules.push_back(database_rule());
    rules.push_back(secret_rule(
        "secret_key", &Config::secret_key,
        "key that signs sessions and tokens; empty: the database's own",
        {"FLASK_SECRET_KEY", "SECRET_KEY"}));
    rules.push_back(
        secret_rule("password_pepper", &Config::password_pepper,
                    "secret mixed into new password hashes; empty: no pepper",
                    {"SECURITY_PASSWORD_SALT"}));
    rules.push_back(boolean_rule("registerable", &Config::registerable,
                                 "whether visitors may create an account",
                                 {"SECURITY_REGISTERABLE"}));
    rules.push_back(text_rule("host", &Config::host,
                              "address that mfo serve listens on",
                              require_text));
    rules.push_back(number_rule("port", &Config::port, 0, 65535,
                                "TCP port of mfo serve (0: any free port)"));
    rules.push_back(
        number_rule("threads", &Config::threads, 0, 256,
                    "connection threads (0: 16 per core, at least 64)"));
    rules.push_back(
        text_rule("templates_dir", &Config::templates_dir,
                  "directory whose templates replace the built-in ones", {}));
    rules.push_back(number_rule(
        "session_idle_timeout", &Config::session_idle_timeout, 1, INT_MAX,
        "seconds without a request before a session ends"));
    rules.push_back(number_rule("session_lifetime", &Config::session_lifetime,
                                1, INT_MAX,
                                "seconds a session lasts after login"));
    rules.push_back(
        number_rule("remember_lifetime", &Config::remember_lifetime, 1, INT_MAX,
                    "seconds a \"remember me\" session lasts after login"));
    rules.push_back(boolean_rule("secure_cookies", &Config::secure_cookies,
                                 "send cookies over HTTPS only",
                                 {"SESSION_COOKIE_SECURE"}));
    rules.push_back(number_rule("password_min_length",
                                &Config::password_min_length, 1, 4096,
                                "fewest characters in a new password",
                                {"SECURITY_PASSWORD_LENGTH_MIN"}));
    rules.push_back(number_rule(
        "password_max_length", &Config::password_max_length, 1, 4096,
        "most characters in a password, checked before hashing"));
    // 19456 KiB and 2 iterations are OWASP's argon2id minimum; the memory
    // ceiling of 4 GiB catches a value typed in bytes instead of KiB.
    rules.push_back(number_rule("argon2_memory_kib", &Config::argon2_memory_kib,
                                19456, 4194304,
                                "argon2id memory cost of new hashes, in KiB"));
    rules.push_back(number_rule("argon2_iterations", &Config::argon2_iterations,
                                2, UINT_MAX,
                                "argon2id iterations of new hashes"));
    rules.push_back(text_rule("admin_role", &Config::admin_role,
                              "role whose members administer mfo",
                              require_text));
    rules.push_back(
        text_rule("trusted_proxy", &Config::trusted_proxy,
                  "IP address whose X-Forwarded-For is believed; empty: none",
                  [](const std::string& value) {
                      return value.empty() || is_ip_address(value)
                                 ? ""
                                 : "is not an IP address";
                  }));
    rules.push_back(number_rule("max_body_bytes", &Config::max_body_bytes, 1024,
                                INT_MAX,
                                "largest request body accepted, in bytes"));

    const Config defaults;
    for (Rule& rule : rules) {
        rule.key.default_value = rule.show(defaults);
    }
    return rules;
}

const std::vector<Rule>& rules()
{
    static const std::vector<Rule> all = make_rules();
    return all;
}

const Rule* find_rule(const std::string& name)
{
    for (const Rule& rule : rules()) {
        if (rule.key.name == name) {
            return &rule;
        }
    }
    return nullptr;
}

// An explicitly named file must exist; the default one may be absent.
std::optional<std::string> choose_file(const std::optional<std::string>& given,
                                       const std::string& fallback,
                                       const std::string& what)
{
    std::error_code ignored;
    if (given) {
        if (!std::filesystem::exists(*given, ignored)) {
            throw ConfigError(what + " '" + *given + "' does not exist");
        }
        return given;
    }
    if (std::filesystem::exists(fallback, ignored)) {
        return fallback;
    }
    return std::nullopt;
}

std::string read_file(const std::string& path, const std::string& what)
{
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
        throw ConfigError(what + " '" + path + "' is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
        throw ConfigError("cannot read " + what + " '" + path + "'");
    }
    return text.str();
}

// Quotes are optional and taken literally, without escapes; an unquoted
// value ends at a ` #` or ` ;` comment.
std::string config_file_value(const std::string& text, const std::string& where)
{
    if (!text.empty() && (text.front() == '"' || text.front() == '\'')) {
        const size_t close = text.find(text.front(), 1);
        if (close == std::string::npos) {
            throw ConfigError(where + ": unterminated quoted value");
        }
        const std::string rest = trim(text.substr(close + 1));
        if (!rest.empty() && rest.front() != '#' && rest.front() != ';') {
            throw ConfigError(where +
                              ": unexpected text after the closing quote");
        }
        return text.substr(1, close - 1);
    }
    for (size_t i = 1; i < text.size(); ++i) {
        if ((text[i] == '#' || text[i] == ';') &&
            (text[i - 1] == ' ' || text[i - 1] == '\t')) {
            return trim(text.substr(0, i));
        }
    }
    return text;
}

void check_section(const std::string& line, const std::string& where)
{
    if (line.back() != ']') {
        throw ConfigError(where + ": malformed section header");
    }
    const std::string name = trim(line.substr(1, line.size() - 2));
    if (name != "mfo") {
        throw ConfigError(where + ": unknown section [" + name +
                          "] (only [mfo] is allowed)");
    }
}

// We parse `key = value` ourselves rather than with CLI11's config reader
// because every error must name the file and line, and CLI11's don't.
void read_config_text(const std::string& text_of_file, const std::string& path,
                      Candidates& candidates)
{
    std::istringstream lines(text_of_file);
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
        const std::string where = path + ":" + std::to_string(number);
        const std::string text = trim(line);
        if (text.empty() || text.front() == '#' || text.front() == ';') {
            continue;
        }
        if (text.front() == '[') {
            check_section(text, where);
            continue;
        }
        const size_t equals = text.find('=');
        if (equals == std::string::npos) {
            throw ConfigError(where + ": expected 'key = value'");
        }
        const std::string name = trim(text.substr(0, equals));
        if (find_rule(name) == nullptr) {
            throw ConfigError(where + ": unknown key '" + name + "'");
        }
        candidates[name] = {
            config_file_value(trim(text.substr(equals + 1)), where),
            Source{Source::Kind::config_file, where}};
    }
}

void read_config_file(const std::string& path, Candidates& candidates)
{
    read_config_text(read_file(path, "config file"), path, candidates);
}

// For a layer of named variables (.env or environment), the MFO_ name wins
// over the Flask aliases.
void take_named(const std::map<std::string, Candidate>& variables,
                Candidates& candidates)
{
    for (const Rule& rule : rules()) {
        std::vector<std::string> names{rule.key.env_name};
        names.insert(names.end(), rule.key.aliases.begin(),
                     rule.key.aliases.end());
        for (const std::string& name : names) {
            if (const auto found = variables.find(name);
                found != variables.end()) {
                candidates[rule.key.name] = found->second;
                break;
            }
        }
    }
}

// A Flask .env holds many unrelated names; only mfo's are taken.
void read_dotenv_file(const std::string& path, Candidates& candidates)
{
    std::map<std::string, Candidate> variables;
    for (const DotenvEntry& entry :
         parse_dotenv(read_file(path, "env file"), path)) {
        variables[entry.name] = {
            entry.value, Source{Source::Kind::dotenv,
                                path + ":" + std::to_string(entry.line)}};
    }
    take_named(variables, candidates);
}

// The first of duplicate entries counts, as with getenv().
void read_environment(char** environment, Candidates& candidates)
{
    std::map<std::string, Candidate> variables;
    for (char** entry = environment; *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const size_t equals = text.find('=');
        if (equals == std::string_view::npos) {
            continue;
        }
        const std::string name(text.substr(0, equals));
        variables.emplace(name,
                          Candidate{std::string(text.substr(equals + 1)),
                                    Source{Source::Kind::environment, name}});
    }
    take_named(variables, candidates);
}

void read_flags(const std::vector<std::pair<std::string, std::string>>& flags,
                Candidates& candidates)
{
    for (const auto& [name, value] : flags) {
        std::string spelling = "--" + name;
        std::replace(spelling.begin(), spelling.end(), '_', '-');
        if (find_rule(name) == nullptr) {
            throw ConfigError("unknown setting '" + name + "' (" + spelling +
                              ")");
        }
        candidates[name] = {value, Source{Source::Kind::flag, spelling}};
    }
}

// Only the winning value of each key is parsed, so a bad value that a
// later layer overrides does no harm.
Config build_config(const Candidates& candidates)
{
    Config config;
    for (const Rule& rule : rules()) {
        const auto found = candidates.find(rule.key.name);
        if (found == candidates.end()) {
            config.sources[rule.key.name] = Source{};
            continue;
        }
        rule.assign(config, rule.key, found->second.value,
                    found->second.source);
        config.sources[rule.key.name] = found->second.source;
    }
    return config;
}

void check_password_lengths(const Config& config)
{
    if (config.password_max_length >= config.password_min_length) {
        return;
    }
    throw ConfigError(
        "password_max_length (" + std::to_string(config.password_max_length) +
        ", " + config.sources.at("password_max_length").describe() +
        ") is less than password_min_length (" +
        std::to_string(config.password_min_length) + ", " +
        config.sources.at("password_min_length").describe() + ")");
}

} // namespace

const std::vector<ConfigKey>& config_keys()
{
    static const std::vector<ConfigKey> keys = [] {
        std::vector<ConfigKey> result;
        for (const Rule& rule : rules()) {
            result.push_back(rule.key);
        }
        return result;
    }();
    return keys;
}

Config load_config(const ConfigRequest& request)
{
    Candidates candidates;
    if (const std::optional<std::string> path =
            choose_file(request.config_file, "mfo.conf", "config file")) {
        read_config_file(*path, candidates);
    }
    if (const std::optional<std::string> path =
            choose_file(request.env_file, ".env", "env file")) {
        read_dotenv_file(*path, candidates);
    }
    read_environment(request.environment != nullptr ? request.environment
                                                    : ::environ,
                     candidates);
    read_flags(request.flags, candidates);

    Config config = build_config(candidates);
    check_password_lengths(config);
    return config;
}

Config parse_config_file(const std::string& text, const std::string& file_name)
{
    Candidates candidates;
    read_config_text(text, file_name, candidates);
    Config config = build_config(candidates);
    check_password_lengths(config);
    return config;
}

std::vector<ConfigLine> describe_config(const Config& config)
{
    std::vector<ConfigLine> lines;
    for (const Rule& rule : rules()) {
        ConfigLine line{rule.key.name, rule.show(config), "default"};
        if (rule.key.is_secret) {
            line.value = line.value.empty() ? "(not set)" : "(set, redacted)";
        }
        if (const auto found = config.sources.find(rule.key.name);
            found != config.sources.end()) {
            line.source = found->second.describe();
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

} // namespace mfo::core
