#pragma once

#include "core/error.hpp"
#include "core/password.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace mfo::core {

// Times are whole seconds since the Unix epoch, UTC.
using Timestamp = std::int64_t;
Timestamp now();
// "2026-12-03T16:23:12Z"
std::string format_time(Timestamp time);

struct User {
    std::int64_t id = 0;
    std::string email; // as entered
    std::optional<std::string> username;
    PasswordHash password;
    bool is_active = true;
    std::string uniquifier; // rotated on password change and reset-access
    std::optional<Timestamp> confirmed_at;
    Timestamp created_at = 0;
    Timestamp updated_at = 0;
    std::optional<Timestamp> last_login_at;
    std::optional<std::string> last_login_ip;
    std::optional<Timestamp> current_login_at;
    std::optional<std::string> current_login_ip;
    std::int64_t login_count = 0;
    std::vector<std::string> roles; // sorted names
};

struct NewUser {
    std::string email;
    std::optional<std::string> username;
    PasswordHash password;
    bool is_active = true;
    std::vector<std::string> roles; // must exist
    std::optional<Timestamp> confirmed_at;
};

struct Role {
    std::int64_t id = 0;
    std::string name;
    std::string description;
    std::vector<std::string> permissions; // sorted
    std::int64_t user_count = 0;
};

// A server-side login session. The id itself is never stored: only its
// SHA-256, so a copy of the database cannot be replayed as cookies.
struct Session {
    std::string id_hash; // 32 raw bytes
    std::int64_t user_id = 0;
    std::string uniquifier; // the user's at login; a mismatch ends it
    std::string csrf_token;
    bool is_persistent = false; // "remember me"
    Timestamp created_at = 0;
    Timestamp last_seen_at = 0;
};

struct InitResult {
    int from_version = 0; // 0: the database was created
    int to_version = 0;
};

struct DbStatus {
    std::string path;
    int schema_version = 0;
    std::int64_t user_count = 0;
    std::int64_t active_user_count = 0;
    std::int64_t role_count = 0;
    std::int64_t session_count = 0;
};

struct UserQuery {
    std::optional<std::string> role; // only users holding it
    std::int64_t limit = -1;         // -1: all
    std::int64_t after_id = 0;       // keyset pagination: ids above this
};

// The user, role and session store on one SQLite connection. Not shared
// between threads: give each thread its own Store on the same file.
// Every change spanning rows is one immediate transaction. SQLite failures
// surface as Error with the step and file named; a busy or read-only
// database is Kind::unavailable.
class Store {
public:
    static constexpr int k_schema_version = 2;

    // Opens an initialized mfo database for reading and writing. Never
    // creates a file. Throws Error(not_initialized) for a missing file or
    // one without the schema, Error(failed) for a foreign or newer one.
    static Store open(const std::string& path);

    // Creates the database or brings its schema up to date (mfo db init).
    // Refuses a file that holds another application's tables.
    static InitResult initialize(const std::string& path);

    // Runs migrations up to `version` only; for tests of upgrades.
    static void initialize_to_version(const std::string& path, int version);

    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;
    ~Store();

    DbStatus status();
    const std::string& path() const { return m_path; }

    // Settings kept with the instance, such as the generated secret key.
    std::optional<std::string> meta(std::string_view key);
    void set_meta(std::string_view key, std::string_view value);

    // Throws Error(invalid) for a bad email, Error(conflict) for an email
    // taken in any letter case, Error(not_found) for an unknown role.
    User create_user(const NewUser& user);
    std::optional<User> find_user(std::int64_t id);
    std::optional<User> find_user_by_email(std::string_view email);
    std::vector<User> list_users(const UserQuery& query = {});
    std::int64_t count_users();

    // These return false when the user already was in that state, and throw
    // Error(not_found) for an unknown email.
    bool set_active(std::string_view email, bool is_active);
    // Sets the hash and rotates the uniquifier, ending every session.
    void set_password(std::int64_t user_id, const PasswordHash& password);
    // Replaces the hash without ending sessions (upgrade at login).
    void upgrade_password_hash(std::int64_t user_id,
                               const PasswordHash& password);
    void reset_access(std::string_view email);
    void delete_user(std::string_view email);
    // Updates the trackable fields after a successful login.
    void record_login(std::int64_t user_id, std::string_view ip);

    // Throws Error(conflict) for a taken name, Error(invalid) for a bad one.
    Role create_role(std::string_view name, std::string_view description,
                     const std::vector<std::string>& permissions);
    std::optional<Role> find_role(std::string_view name);
    std::vector<Role> list_roles();
    void delete_role(std::string_view name);
    // Return false when nothing changed; Error(not_found) for unknown names.
    bool grant_role(std::string_view role, std::string_view email);
    bool revoke_role(std::string_view role, std::string_view email);
    bool add_permission(std::string_view role, std::string_view permission);
    bool remove_permission(std::string_view role, std::string_view permission);

    void create_session(const Session& session);
    std::optional<Session> find_session(std::string_view id_hash);
    void touch_session(std::string_view id_hash, Timestamp last_seen_at);
    void delete_session(std::string_view id_hash);
    // Ends every session of a user except `keep_id_hash` (may be empty).
    void delete_user_sessions(std::int64_t user_id,
                              std::string_view keep_id_hash = {});
    // Removes sessions older than the given limits; returns how many.
    std::int64_t delete_expired_sessions(Timestamp idle_before,
                                         Timestamp created_before,
                                         Timestamp persistent_before);

    // Copies the whole database to `target` with SQLite's online backup, so
    // the copy is consistent even while the server writes. Writes a
    // temporary file beside `target` and renames it, so a failed backup
    // leaves nothing behind. Refuses to overwrite an existing file.
    void backup_to(const std::string& target);

    // Runs SQLite's integrity and foreign key checks; returns one line per
    // problem found, empty when the database is sound.
    std::vector<std::string> check();

    // SQLite's data_version: changes when another connection commits, so
    // a cache can tell cheaply that the CLI changed something.
    std::int64_t data_version();

    SQLite::Database& database() { return *m_db; }

private:
    Store(std::unique_ptr<SQLite::Database> db, std::string path);

    std::unique_ptr<SQLite::Database> m_db;
    std::string m_path;
    // Statements prepared once for the server's per-request lookups;
    // declared after m_db so they are finalized before it closes.
    struct Statements;
    std::unique_ptr<Statements> m_statements;
};

// Role and permission names: 1-64 characters of letters, digits and
// "-_.:"; returns the reason a name is refused.
std::optional<std::string> name_problem(std::string_view name);

} // namespace mfo::core
