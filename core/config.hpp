#pragma once

#include "core/error.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mfo::core {

// Where an effective setting came from, for error messages and
// `mfo config show`.
struct Source {
    enum class Kind { built_in, config_file, dotenv, environment, flag };

    Kind kind = Kind::built_in;
    std::string where; // "mfo.conf:12", "MFO_PORT", "--port"; empty if built-in

    std::string describe() const; // "default", "mfo.conf:12", "env MFO_PORT"
};

// Every effective setting. The defaults here are the documented ones.
struct Config {
    std::string database_path = "mfo.db";
    std::string secret_key;      // empty: taken from the database (db init)
    std::string password_pepper; // empty: passwords are not peppered
    bool registerable = true;
    std::string host = "127.0.0.1";
    int port = 5000;
    int threads = 0;                 // 0: chosen from the number of cores
    std::string templates_dir;       // empty: only the built-in templates
    int session_idle_timeout = 7200; // seconds without a request
    int session_lifetime = 43200;    // seconds since login, no "remember"
    int remember_lifetime = 2592000; // seconds since login, "remember me"
    bool secure_cookies = false;
    int password_min_length = 8;
    int password_max_length = 128; // characters, checked before hashing
    unsigned argon2_memory_kib = 65536;
    unsigned argon2_iterations = 2;
    std::string admin_role = "admin";
    std::string trusted_proxy; // empty: X-Forwarded-For is ignored
    int max_body_bytes = 65536;

    // Key -> where its value came from; holds every key.
    std::map<std::string, Source> sources;
};

// One documented key, for the loader, `config show`, the man page test.
struct ConfigKey {
    std::string name;                 // "port", as written in the config file
    std::string env_name;             // "MFO_PORT"
    std::vector<std::string> aliases; // Flask names: "FLASK_SECRET_KEY"
    std::string default_value;
    std::string description;
    bool is_secret = false;
};

const std::vector<ConfigKey>& config_keys();

// What the command line says about where to look and what to override.
struct ConfigRequest {
    std::optional<std::string>
        config_file;                     // --config; else mfo.conf if present
    std::optional<std::string> env_file; // --env-file; else .env if present
    // Flag overrides: key name -> value, e.g. {"port", "8080"}; the flag's
    // spelling ("--port") is recorded as the source.
    std::vector<std::pair<std::string, std::string>> flags;
    // The process environment; nullptr reads ::environ.
    char** environment = nullptr;
};

// Thrown for a bad value or file; the message names the key and its source,
// e.g. "port: 'abc' is not a number (mfo.conf:3)".
class ConfigError : public Error {
public:
    explicit ConfigError(const std::string& message)
        : Error(message, Kind::invalid)
    {
    }
};

// Layers built-in defaults, the config file, the .env file, the environment
// and the flags (later wins) into one Config. Throws ConfigError.
Config load_config(const ConfigRequest& request);

// The built-in defaults with one config file's text laid over them;
// `file_name` only names lines in errors. Reads no other layer and no file;
// the seam the config-file fuzzer drives. Throws ConfigError.
Config parse_config_file(const std::string& text, const std::string& file_name);

// One line per key for `mfo config show`: key, printable value (secrets
// redacted), source.
struct ConfigLine {
    std::string key;
    std::string value;
    std::string source;
};
std::vector<ConfigLine> describe_config(const Config& config);

// Parses python-dotenv syntax: comments, `export`, single and double quotes
// (escapes in double quotes), values spanning lines inside quotes. Returns
// (name, value, line) in file order. Throws ConfigError naming file:line.
struct DotenvEntry {
    std::string name;
    std::string value;
    int line = 0;
};
std::vector<DotenvEntry> parse_dotenv(const std::string& text,
                                      const std::string& file_name);

} // namespace mfo::core
