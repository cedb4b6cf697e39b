#include "core/store.hpp"

#include "core/crypto.hpp"
#include "core/email.hpp"
#include "core/schema.hpp"
#include "core/sql_binding.hpp"
#include "core/text.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <span>
#include <sqlite3.h>
#include <unistd.h>
#include <utility>

namespace mfo::core {
namespace {

namespace fs = std::filesystem;
using Kind = Error::Kind;

constexpr int k_busy_timeout_ms = 5000;
constexpr std::size_t k_uniquifier_bytes = 16;
constexpr std::size_t k_max_name_length = 64;
constexpr std::size_t k_max_username_length = 254;

// The columns read_user() expects. Roles arrive as one comma-separated
// list, which is safe because a role name cannot hold a comma; the
// subquery is one index lookup per user, so long lists stay fast.
constexpr std::string_view k_select_user = R"sql(
SELECT u.id, u.email, u.username, u.password_hash, u.password_scheme,
       u.is_active, u.uniquifier, u.confirmed_at, u.created_at,
       u.updated_at, u.last_login_at, u.last_login_ip, u.current_login_at,
       u.current_login_ip, u.login_count,
       (SELECT group_concat(r.name) FROM user_roles ur
        JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id)
FROM users u
)sql";

constexpr std::string_view k_select_role = R"sql(
SELECT r.id, r.name, r.description,
       (SELECT group_concat(p.permission) FROM role_permissions p
        WHERE p.role_id = r.id),
       (SELECT count(*) FROM user_roles ur WHERE ur.role_id = r.id)
FROM roles r
)sql";

constexpr std::string_view k_select_session = R"sql(
SELECT id_hash, user_id, uniquifier, csrf_token, is_persistent, created_at,
       last_seen_at
FROM sessions WHERE id_hash = ?
)sql";

std::string database_name(const std::string& path)
{
    return "database " + in_quotes(path);
}

Error sqlite_error(const SQLite::Exception& error, std::string_view step,
                   const std::string& path)
{
    const std::string prefix = "cannot " + std::string(step) + ": ";
    const std::string database = database_name(path);
    switch (error.getErrorCode() & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return Error(prefix + database + " is locked by another process",
                     Kind::unavailable);
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return Error(prefix + database + " is read-only", Kind::unavailable);
    case SQLITE_FULL:
        return Error(prefix + "disk is full (" + database + ")",
                     Kind::unavailable);
    case SQLITE_CANTOPEN:
        return Error(prefix + "unable to open " + database +
                         " or its journal (check the permissions)",
                     Kind::unavailable);
    case SQLITE_NOTADB:
        return Error(in_quotes(path) + " is not an SQLite database");
    case SQLITE_CORRUPT:
        return Error(prefix + database + " is corrupt");
    default:
        return Error(prefix + error.what() + " (" + database + ")");
    }
}

// Runs `function`, turning SQLite's exceptions into an Error that names
// the step and the file. Our own Errors pass through untouched.
template <typename Function>
auto with_context(const std::string& path, std::string_view step,
                  Function&& function) -> decltype(function())
{
    try {
        return function();
    } catch (const SQLite::Exception& error) {
        throw sqlite_error(error, step, path);
    }
}

// A cached statement must be reset after each use, or it keeps a read
// snapshot open, which blocks WAL checkpoints and hides others' commits.
class ResetOnExit {
public:
    explicit ResetOnExit(SQLite::Statement& statement) : m_statement(statement)
    {
    }
    ~ResetOnExit() { m_statement.tryReset(); }
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;

private:
    SQLite::Statement& m_statement;
};

class WriteTransaction {
public:
    // IMMEDIATE takes the write lock up front: a deferred transaction that
    // reads and then writes can fail with SQLITE_BUSY without waiting.
    explicit WriteTransaction(SQLite::Database& db)
        : m_transaction(db, SQLite::TransactionBehavior::IMMEDIATE)
    {
    }
    void commit() { m_transaction.commit(); }

private:
    SQLite::Transaction m_transaction;
};

void bind_text(SQLite::Statement& statement, int index, std::string_view text)
{
    statement.bind(index, std::string(text));
}

void bind_blob(SQLite::Statement& statement, int index, std::string_view bytes)
{
    // SQLite binds NULL for a null pointer, even with length zero.
    static constexpr char k_empty = 0;
    statement.bind(index, bytes.empty() ? &k_empty : bytes.data(),
                   static_cast<int>(bytes.size()));
}

std::optional<std::string> optional_text(const SQLite::Column& column)
{
    if (column.isNull()) {
        return std::nullopt;
    }
    return column.getString();
}

std::optional<Timestamp> optional_time(const SQLite::Column& column)
{
    if (column.isNull()) {
        return std::nullopt;
    }
    return column.getInt64();
}

std::vector<std::string> split_names(const SQLite::Column& column)
{
    std::vector<std::string> names;
    const std::string list = column.isNull() ? "" : column.getString();
    std::size_t start = 0;
    while (start < list.size()) {
        const std::size_t end = std::min(list.find(',', start), list.size());
        names.push_back(list.substr(start, end - start));
        start = end + 1;
    }
    std::sort(names.begin(), names.end());
    return names;
}

User read_user(const SQLite::Statement& row)
{
    User user;
    user.id = row.getColumn(0).getInt64();
    user.email = row.getColumn(1).getString();
    user.username = optional_text(row.getColumn(2));
    user.password.hash = row.getColumn(3).getString();
    user.password.scheme = row.getColumn(4).getString();
    user.is_active = row.getColumn(5).getInt() != 0;
    user.uniquifier = row.getColumn(6).getString();
    user.confirmed_at = optional_time(row.getColumn(7));
    user.created_at = row.getColumn(8).getInt64();
    user.updated_at = row.getColumn(9).getInt64();
    user.last_login_at = optional_time(row.getColumn(10));
    user.last_login_ip = optional_text(row.getColumn(11));
    user.current_login_at = optional_time(row.getColumn(12));
    user.current_login_ip = optional_text(row.getColumn(13));
    user.login_count = row.getColumn(14).getInt64();
    user.roles = split_names(row.getColumn(15));
    return user;
}

Role read_role(const SQLite::Statement& row)
{
    Role role;
    role.id = row.getColumn(0).getInt64();
    role.name = row.getColumn(1).getString();
    role.description = row.getColumn(2).getString();
    role.permissions = split_names(row.getColumn(3));
    role.user_count = row.getColumn(4).getInt64();
    return role;
}

Session read_session(const SQLite::Statement& row)
{
    Session session;
    session.id_hash = row.getColumn(0).getString();
    session.user_id = row.getColumn(1).getInt64();
    session.uniquifier = row.getColumn(2).getString();
    session.csrf_token = row.getColumn(3).getString();
    session.is_persistent = row.getColumn(4).getInt() != 0;
    session.created_at = row.getColumn(5).getInt64();
    session.last_seen_at = row.getColumn(6).getInt64();
    return session;
}

Error user_not_found(std::string_view email)
{
    return Error("user " + in_quotes(email) + " does not exist",
                 Kind::not_found);
}

Error user_id_not_found(std::int64_t user_id)
{
    return Error("user with id " + std::to_string(user_id) + " does not exist",
                 Kind::not_found);
}

Error role_not_found(std::string_view name)
{
    return Error("role " + in_quotes(name) + " does not exist",
                 Kind::not_found);
}

std::optional<std::int64_t> find_id(SQLite::Database& db, const char* sql,
                                    std::string_view key)
{
    SQLite::Statement query(db, sql);
    bind_text(query, 1, key);
    if (!query.executeStep()) {
        return std::nullopt;
    }
    return query.getColumn(0).getInt64();
}

// An invalid email cannot belong to anyone, and email_key() must only see
// valid ones.
std::optional<std::int64_t> find_user_id(SQLite::Database& db,
                                         std::string_view email)
{
    if (email_problem(email)) {
        return std::nullopt;
    }
    return find_id(db, "SELECT id FROM users WHERE email_key = ?",
                   email_key(email));
}

std::int64_t require_user_id(SQLite::Database& db, std::string_view email)
{
    if (std::optional<std::int64_t> id = find_user_id(db, email)) {
        return *id;
    }
    throw user_not_found(email);
}

std::int64_t require_role_id(SQLite::Database& db, std::string_view name)
{
    if (std::optional<std::int64_t> id =
            find_id(db, "SELECT id FROM roles WHERE name = ?", name)) {
        return *id;
    }
    throw role_not_found(name);
}

void check_name(std::string_view what, std::string_view name)
{
    if (std::optional<std::string> problem = name_problem(name)) {
        throw Error("invalid " + std::string(what) + " " + in_quotes(name) +
                        ": " + *problem,
                    Kind::invalid);
    }
}

void check_username(const std::optional<std::string>& username)
{
    if (!username) {
        return;
    }
    const bool has_control =
        std::any_of(username->begin(), username->end(), [](char c) {
            const auto byte = static_cast<unsigned char>(c);
            return byte < 0x20 || byte == 0x7f;
        });
    if (username->empty() || username->size() > k_max_username_length ||
        has_control) {
        throw Error("invalid username " + in_quotes(*username) +
                        ": it must be 1 to 254 bytes without control "
                        "characters",
                    Kind::invalid);
    }
}

int execute(SQLite::Database& db, const char* sql, std::int64_t value)
{
    SQLite::Statement statement(db, sql);
    statement.bind(1, value);
    return statement.exec();
}

void touch_role(SQLite::Database& db, std::int64_t role_id)
{
    SQLite::Statement touch(db, "UPDATE roles SET updated_at = ? WHERE id = ?");
    touch.bind(1, now());
    touch.bind(2, role_id);
    touch.exec();
}

// Gives the user a new uniquifier and ends their sessions: anything that
// proved who they were before stops working.
void rotate_access(SQLite::Database& db, std::int64_t user_id, Timestamp time)
{
    SQLite::Statement update(
        db, "UPDATE users SET uniquifier = ?, updated_at = ? WHERE id = ?");
    update.bind(1, random_token(k_uniquifier_bytes));
    update.bind(2, time);
    update.bind(3, user_id);
    update.exec();
    execute(db, "DELETE FROM sessions WHERE user_id = ?", user_id);
}

// Opening and migrating.

enum class Content { empty, mfo, foreign };

struct Inspection {
    Content content = Content::empty;
    int version = 0;
};

int user_version(SQLite::Database& db)
{
    return db.execAndGet("PRAGMA user_version").getInt();
}

bool has_mfo_marker(SQLite::Database& db)
{
    if (!db.tableExists("meta")) {
        return false;
    }
    try {
        SQLite::Statement query(
            db, "SELECT value FROM meta WHERE key = 'application'");
        return query.executeStep() && query.getColumn(0).getString() == "mfo";
    } catch (const SQLite::Exception& error) {
        // Another application's meta table, with other columns.
        if ((error.getErrorCode() & 0xff) == SQLITE_ERROR) {
            return false;
        }
        throw;
    }
}

// Only reads, so a file that turns out to be someone else's stays as it
// was; the first read is also what fails for a file that is not SQLite.
Inspection inspect(SQLite::Database& db)
{
    const std::int64_t objects =
        db.execAndGet("SELECT count(*) FROM sqlite_master").getInt64();
    const int version = user_version(db);
    if (objects == 0) {
        return {version == 0 ? Content::empty : Content::foreign, version};
    }
    return {has_mfo_marker(db) ? Content::mfo : Content::foreign, version};
}

void check_not_foreign(const Inspection& found, const std::string& path)
{
    if (found.content == Content::foreign) {
        throw Error(in_quotes(path) + " is not an mfo database");
    }
}

void check_not_newer(const Inspection& found, const std::string& path)
{
    if (found.version > Store::k_schema_version) {
        throw Error(database_name(path) + " has schema version " +
                    std::to_string(found.version) + ", newer than this mfo (" +
                    std::to_string(Store::k_schema_version) + "): upgrade mfo");
    }
}

void check_not_directory(const std::string& path)
{
    std::error_code ignored;
    if (fs::is_directory(path, ignored)) {
        throw Error(database_name(path) + " is a directory, not a file");
    }
}

void configure(SQLite::Database& db)
{
    db.exec("PRAGMA foreign_keys = ON");
    // WAL lets the server keep reading while the CLI writes. NORMAL sync
    // is safe in WAL: a power cut may lose the last commits, never
    // corrupt the file.
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    // The server keeps one connection per worker thread; SQLite's default
    // page cache (2 MiB each) would let a large database multiply the
    // resident set by the thread count. The OS caches the file anyway.
    db.exec("PRAGMA cache_size = -256");
}

std::unique_ptr<SQLite::Database> connect(const std::string& path)
{
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE,
                                                 k_busy_timeout_ms);
    return db;
}

// Creates an empty file readable by its owner only, since it will hold
// password hashes and the secret key; SQLite gives the -wal and -shm files
// the mode of the database.
void create_file(const std::string& path)
{
    const fs::path parent = fs::path(path).parent_path();
    std::error_code ignored;
    if (!parent.empty() && !fs::is_directory(parent, ignored)) {
        throw Error("cannot create " + database_name(path) + ": directory " +
                    in_quotes(parent.string()) + " does not exist");
    }
    const int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
        const bool is_denied =
            errno == EACCES || errno == EROFS || errno == ENOSPC;
        throw Error("cannot create " + database_name(path) + ": " +
                        std::strerror(errno),
                    is_denied ? Kind::unavailable : Kind::failed);
    }
    if (fd >= 0) {
        ::close(fd);
    }
}

// Applies the migrations after `from` up to `target`, each in its own
// transaction together with the new user_version.
void apply_migrations(SQLite::Database& db, int from, int target)
{
    const std::span<const std::string_view> migrations = schema_migrations();
    for (int version = from + 1; version <= target; ++version) {
        WriteTransaction transaction(db);
        // Read again under the write lock: another `mfo db init` may have
        // migrated the file since we looked.
        if (user_version(db) >= version) {
            continue;
        }
        db.exec(std::string(migrations[static_cast<std::size_t>(version - 1)]));
        db.exec("PRAGMA user_version = " + std::to_string(version));
        transaction.commit();
    }
}

InitResult migrate_file(const std::string& path, int target)
{
    if (target < 0 || target > Store::k_schema_version) {
        throw Error("schema version " + std::to_string(target) +
                        " does not exist",
                    Kind::invalid);
    }
    check_not_directory(path);
    std::error_code ignored;
    if (!fs::exists(path, ignored)) {
        create_file(path);
    }

    return with_context(path, "initialize the database", [&] {
        const std::unique_ptr<SQLite::Database> db = connect(path);
        const Inspection found = inspect(*db);
        check_not_foreign(found, path);
        check_not_newer(found, path);

        configure(*db);
        apply_migrations(*db, found.version, target);
        return InitResult{found.version, std::max(found.version, target)};
    });
}

} // namespace

// Prepared once per Store: the server runs these on every request.
struct Store::Statements {
    explicit Statements(SQLite::Database& db)
        : find_user(db, std::string(k_select_user) + "WHERE u.id = ?"),
          find_session(db, std::string(k_select_session)),
          touch_session(
              db, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?"),
          data_version(db, "PRAGMA data_version"),
          list_users(db, std::string(k_select_user) +
                             "WHERE u.id > ?1 ORDER BY u.id LIMIT ?2")
    {
    }

    SQLite::Statement find_user;
    SQLite::Statement find_session;
    SQLite::Statement touch_session;
    SQLite::Statement data_version;
    SQLite::Statement list_users; // without a role filter: the admin page

    // The user count and the role list, valid while `tables_state` holds:
    // count(*) reads the whole users index, so the admin page would cost
    // time in proportion to the number of users on every request.
    std::pair<std::int64_t, std::int64_t> tables_state{-1, -1};
    std::optional<std::int64_t> user_count;
    std::optional<std::vector<Role>> roles;

    // True when no table has changed since the last call: data_version
    // moves when another connection commits, total_changes when this one
    // writes. Otherwise forgets the cached values.
    bool is_unchanged(SQLite::Database& db)
    {
        std::int64_t version = 0;
        {
            const ResetOnExit reset(data_version);
            data_version.executeStep();
            version = data_version.getColumn(0).getInt64();
        }
        const std::pair<std::int64_t, std::int64_t> state{
            version, sqlite3_total_changes64(db.getHandle())};
        if (state == tables_state) {
            return true;
        }
        tables_state = state;
        user_count.reset();
        roles.reset();
        return false;
    }
};

Timestamp now()
{
    const auto since_epoch =
        std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::seconds>(since_epoch)
        .count();
}

std::string format_time(Timestamp time)
{
    const std::time_t seconds = static_cast<std::time_t>(time);
    std::tm parts{};
    if (gmtime_r(&seconds, &parts) == nullptr) {
        return std::to_string(time);
    }
    char text[32];
    const std::size_t length =
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return std::string(text, length);
}

std::optional<std::string> name_problem(std::string_view name)
{
    if (name.empty() || name.size() > k_max_name_length) {
        return "a name must be 1 to 64 characters long";
    }
    const bool is_allowed = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
               c == ':';
    });
    if (!is_allowed) {
        return "a name may contain only letters, digits, '-', '_', '.' "
               "and ':'";
    }
    return std::nullopt;
}

Store Store::open(const std::string& path)
{
    check_not_directory(path);
    std::error_code ignored;
    if (!fs::exists(path, ignored)) {
        throw Error(database_name(path) + " does not exist: run 'mfo db init'",
                    Kind::not_initialized);
    }

    return with_context(path, "open the database", [&] {
        std::unique_ptr<SQLite::Database> db = connect(path);
        const Inspection found = inspect(*db);
        if (found.content == Content::empty) {
            throw Error(database_name(path) +
                            " is not initialized: run 'mfo db init'",
                        Kind::not_initialized);
        }
        check_not_foreign(found, path);
        check_not_newer(found, path);
        if (found.version < k_schema_version) {
            throw Error(database_name(path) + " has schema version " +
                            std::to_string(found.version) +
                            ", which is out of date: run 'mfo db init'",
                        Kind::not_initialized);
        }

        configure(*db);
        return Store(std::move(db), path);
    });
}

InitResult Store::initialize(const std::string& path)
{
    return migrate_file(path, k_schema_version);
}

void Store::initialize_to_version(const std::string& path, int version)
{
    migrate_file(path, version);
}

Store::Store(std::unique_ptr<SQLite::Database> db, std::string path)
    : m_db(std::move(db)), m_path(std::move(path)),
      m_statements(std::make_unique<Statements>(*m_db))
{
}

Store::Store(Store&&) noexcept = default;

Store& Store::operator=(Store&& other) noexcept
{
    if (this != &other) {
        // Our statements must be finalized before our connection closes.
        m_statements.reset();
        m_db = std::move(other.m_db);
        m_path = std::move(other.m_path);
        m_statements = std::move(other.m_statements);
    }
    return *this;
}

Store::~Store() = default;

DbStatus Store::status()
{
    return with_context(m_path, "read the status", [&] {
        DbStatus status;
        status.path = m_path;
        status.schema_version = user_version(*m_db);
        SQLite::Statement counts(*m_db, R"sql(
            SELECT (SELECT count(*) FROM users),
                   (SELECT count(*) FROM users WHERE is_active),
                   (SELECT count(*) FROM roles),
                   (SELECT count(*) FROM sessions))sql");
        counts.executeStep();
        status.user_count = counts.getColumn(0).getInt64();
        status.active_user_count = counts.getColumn(1).getInt64();
        status.role_count = counts.getColumn(2).getInt64();
        status.session_count = counts.getColumn(3).getInt64();
        return status;
    });
}

std::optional<std::string> Store::meta(std::string_view key)
{
    return with_context(m_path, "read setting " + in_quotes(key), [&] {
        SQLite::Statement query(*m_db, "SELECT value FROM meta WHERE key = ?");
        bind_text(query, 1, key);
        std::optional<std::string> value;
        if (query.executeStep()) {
            value = query.getColumn(0).getString();
        }
        return value;
    });
}

void Store::set_meta(std::string_view key, std::string_view value)
{
    with_context(m_path, "save setting " + in_quotes(key), [&] {
        SQLite::Statement upsert(*m_db, R"sql(
            INSERT INTO meta (key, value) VALUES (?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value)sql");
        bind_text(upsert, 1, key);
        bind_text(upsert, 2, value);
        upsert.exec();
    });
}

User Store::create_user(const NewUser& user)
{
    if (std::optional<std::string> problem = email_problem(user.email)) {
        throw Error(*problem, Kind::invalid);
    }
    check_username(user.username);
    const std::string key = email_key(user.email);

    const std::int64_t id = with_context(m_path, "create user", [&] {
        WriteTransaction transaction(*m_db);
        if (find_id(*m_db, "SELECT id FROM users WHERE email_key = ?", key)) {
            throw Error("user " + in_quotes(user.email) + " already exists",
                        Kind::conflict);
        }
        if (user.username &&
            find_id(*m_db, "SELECT id FROM users WHERE username = ?",
                    *user.username)) {
            throw Error("username " + in_quotes(*user.username) +
                            " is already taken",
                        Kind::conflict);
        }
        std::vector<std::int64_t> role_ids;
        for (const std::string& role : user.roles) {
            role_ids.push_back(require_role_id(*m_db, role));
        }

        SQLite::Statement insert(*m_db, R"sql(
            INSERT INTO users (email, email_key, username, password_hash,
                password_scheme, is_active, uniquifier, confirmed_at,
                created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
        const Timestamp time = now();
        insert.bind(1, user.email);
        insert.bind(2, key);
        bind_optional(insert, 3, user.username);
        insert.bind(4, user.password.hash);
        insert.bind(5, user.password.scheme.empty() ? std::string(k_scheme_none)
                                                    : user.password.scheme);
        insert.bind(6, user.is_active ? 1 : 0);
        insert.bind(7, random_token(k_uniquifier_bytes));
        bind_optional(insert, 8, user.confirmed_at);
        insert.bind(9, time);
        insert.bind(10, time);
        insert.exec();
        const std::int64_t new_id = m_db->getLastInsertRowid();

        SQLite::Statement link(*m_db, "INSERT OR IGNORE INTO user_roles "
                                      "(user_id, role_id) VALUES (?, ?)");
        for (const std::int64_t role_id : role_ids) {
            link.bind(1, new_id);
            link.bind(2, role_id);
            link.exec();
            link.reset();
        }
        transaction.commit();
        return new_id;
    });
    return find_user(id).value();
}

std::optional<User> Store::find_user(std::int64_t id)
{
    return with_context(m_path, "find user", [&]() -> std::optional<User> {
        SQLite::Statement& query = m_statements->find_user;
        const ResetOnExit reset(query);
        query.bind(1, id);
        if (!query.executeStep()) {
            return std::nullopt;
        }
        return read_user(query);
    });
}

std::optional<User> Store::find_user_by_email(std::string_view email)
{
    if (email_problem(email)) {
        return std::nullopt;
    }
    return with_context(m_path, "find user", [&]() -> std::optional<User> {
        SQLite::Statement query(*m_db, std::string(k_select_user) +
                                           "WHERE u.email_key = ?");
        query.bind(1, email_key(email));
        if (!query.executeStep()) {
            return std::nullopt;
        }
        return read_user(query);
    });
}

std::vector<User> Store::list_users(const UserQuery& query)
{
    if (!query.role && query.limit >= 0) {
        return with_context(m_path, "list users", [&] {
            SQLite::Statement& select = m_statements->list_users;
            const ResetOnExit reset(select);
            select.bind(1, query.after_id);
            select.bind(2, query.limit);
            std::vector<User> users;
            while (select.executeStep()) {
                users.push_back(read_user(select));
            }
            return users;
        });
    }
    std::string sql = std::string(k_select_user) + "WHERE u.id > ?1";
    if (query.role) {
        sql += R"sql( AND u.id IN (SELECT ur.user_id FROM user_roles ur
                     JOIN roles r ON r.id = ur.role_id WHERE r.name = ?3))sql";
    }
    // Keyset pagination: ids only grow, so a page never repeats or skips a
    // user even while others are added; LIMIT -1 means no limit.
    sql += " ORDER BY u.id LIMIT ?2";

    return with_context(m_path, "list users", [&] {
        SQLite::Statement select(*m_db, sql);
        select.bind(1, query.after_id);
        select.bind(2, query.limit < 0 ? std::int64_t{-1} : query.limit);
        if (query.role) {
            select.bind(3, *query.role);
        }
        std::vector<User> users;
        while (select.executeStep()) {
            users.push_back(read_user(select));
        }
        return users;
    });
}

std::int64_t Store::count_users()
{
    return with_context(m_path, "count users", [&] {
        Statements& cached = *m_statements;
        if (!cached.is_unchanged(*m_db) || !cached.user_count) {
            cached.user_count =
                m_db->execAndGet("SELECT count(*) FROM users").getInt64();
        }
        return *cached.user_count;
    });
}

bool Store::set_active(std::string_view email, bool is_active)
{
    return with_context(m_path, "change user " + in_quotes(email), [&] {
        WriteTransaction transaction(*m_db);
        const std::int64_t id = require_user_id(*m_db, email);
        SQLite::Statement update(*m_db, R"sql(
            UPDATE users SET is_active = ?1, updated_at = ?2
            WHERE id = ?3 AND is_active != ?1)sql");
        update.bind(1, is_active ? 1 : 0);
        update.bind(2, now());
        update.bind(3, id);
        const bool is_changed = update.exec() > 0;
        // A deactivated user is locked out now, not at their next request.
        if (is_changed && !is_active) {
            execute(*m_db, "DELETE FROM sessions WHERE user_id = ?", id);
        }
        transaction.commit();
        return is_changed;
    });
}

void Store::set_password(std::int64_t user_id, const PasswordHash& password)
{
    with_context(m_path, "set the password", [&] {
        WriteTransaction transaction(*m_db);
        SQLite::Statement update(*m_db, R"sql(
            UPDATE users SET password_hash = ?, password_scheme = ?
            WHERE id = ?)sql");
        update.bind(1, password.hash);
        update.bind(2, password.scheme);
        update.bind(3, user_id);
        if (update.exec() == 0) {
            throw user_id_not_found(user_id);
        }
        rotate_access(*m_db, user_id, now());
        transaction.commit();
    });
}

void Store::upgrade_password_hash(std::int64_t user_id,
                                  const PasswordHash& password)
{
    with_context(m_path, "upgrade the password hash", [&] {
        SQLite::Statement update(*m_db, R"sql(
            UPDATE users SET password_hash = ?, password_scheme = ?,
                updated_at = ?
            WHERE id = ?)sql");
        update.bind(1, password.hash);
        update.bind(2, password.scheme);
        update.bind(3, now());
        update.bind(4, user_id);
        if (update.exec() == 0) {
            throw user_id_not_found(user_id);
        }
    });
}

void Store::reset_access(std::string_view email)
{
    with_context(m_path, "reset access of " + in_quotes(email), [&] {
        WriteTransaction transaction(*m_db);
        rotate_access(*m_db, require_user_id(*m_db, email), now());
        transaction.commit();
    });
}

void Store::delete_user(std::string_view email)
{
    with_context(m_path, "delete user " + in_quotes(email), [&] {
        WriteTransaction transaction(*m_db);
        const std::int64_t id = require_user_id(*m_db, email);
        // Links and sessions go with it through ON DELETE CASCADE.
        execute(*m_db, "DELETE FROM users WHERE id = ?", id);
        transaction.commit();
    });
}

void Store::record_login(std::int64_t user_id, std::string_view ip)
{
    with_context(m_path, "record the login", [&] {
        // As Flask-Security does: the previous login becomes the last one,
        // or this one on a first login. SQLite evaluates every expression
        // against the row as it was before the update.
        SQLite::Statement update(*m_db, R"sql(
            UPDATE users SET
                last_login_at = coalesce(current_login_at, ?1),
                last_login_ip = coalesce(current_login_ip, ?2),
                current_login_at = ?1,
                current_login_ip = ?2,
                login_count = login_count + 1
            WHERE id = ?3)sql");
        update.bind(1, now());
        if (ip.empty()) {
            update.bind(2);
        } else {
            bind_text(update, 2, ip);
        }
        update.bind(3, user_id);
        if (update.exec() == 0) {
            throw user_id_not_found(user_id);
        }
    });
}

Role Store::create_role(std::string_view name, std::string_view description,
                        const std::vector<std::string>& permissions)
{
    check_name("role name", name);
    for (const std::string& permission : permissions) {
        check_name("permission name", permission);
    }

    with_context(m_path, "create role " + in_quotes(name), [&] {
        WriteTransaction transaction(*m_db);
        if (find_id(*m_db, "SELECT id FROM roles WHERE name = ?", name)) {
            throw Error("role " + in_quotes(name) + " already exists",
                        Kind::conflict);
        }
        SQLite::Statement insert(*m_db, R"sql(
            INSERT INTO roles (name, description, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?3))sql");
        bind_text(insert, 1, name);
        bind_text(insert, 2, description);
        insert.bind(3, now());
        insert.exec();
        const std::int64_t role_id = m_db->getLastInsertRowid();

        SQLite::Statement add(*m_db, R"sql(
            INSERT OR IGNORE INTO role_permissions (role_id, permission)
            VALUES (?, ?))sql");
        for (const std::string& permission : permissions) {
            add.bind(1, role_id);
            add.bind(2, permission);
            add.exec();
            add.reset();
        }
        transaction.commit();
    });
    return find_role(name).value();
}

std::optional<Role> Store::find_role(std::string_view name)
{
    return with_context(m_path, "find role", [&]() -> std::optional<Role> {
        SQLite::Statement query(*m_db,
                                std::string(k_select_role) + "WHERE name = ?");
        bind_text(query, 1, name);
        if (!query.executeStep()) {
            return std::nullopt;
        }
        return read_role(query);
    });
}

std::vector<Role> Store::list_roles()
{
    return with_context(m_path, "list roles", [&] {
        Statements& cached = *m_statements;
        if (cached.is_unchanged(*m_db) && cached.roles) {
            return *cached.roles;
        }
        SQLite::Statement query(*m_db,
                                std::string(k_select_role) + "ORDER BY name");
        std::vector<Role> roles;
        while (query.executeStep()) {
            roles.push_back(read_role(query));
        }
        cached.roles = roles;
        return roles;
    });
}

void Store::delete_role(std::string_view name)
{
    with_context(m_path, "delete role " + in_quotes(name), [&] {
        WriteTransaction transaction(*m_db);
        const std::int64_t id = require_role_id(*m_db, name);
        // Grants and permissions go with it through ON DELETE CASCADE.
        execute(*m_db, "DELETE FROM roles WHERE id = ?", id);
        transaction.commit();
    });
}

bool Store::grant_role(std::string_view role, std::string_view email)
{
    return with_context(m_path, "grant role " + in_quotes(role), [&] {
        WriteTransaction transaction(*m_db);
        const std::int64_t role_id = require_role_id(*m_db, role);
        const std::int64_t user_id = require_user_id(*m_db, email);
        SQLite::Statement insert(*m_db, R"sql(
            INSERT OR IGNORE INTO user_roles (user_id, role_id)
            VALUES (?, ?))sql");
        insert.bind(1, user_id);
        insert.bind(2, role_id);
        const bool is_changed = insert.exec() > 0;
        transaction.commit();
        return is_changed;
    });
}

bool Store::revoke_role(std::string_view role, std::string_view email)
{
    return with_context(m_path, "revoke role " + in_quotes(role), [&] {
        WriteTransaction transaction(*m_db);
        const std::int64_t role_id = require_role_id(*m_db, role);
        const std::int64_t user_id = require_user_id(*m_db, email);
        SQLite::Statement remove(
            *m_db, "DELETE FROM user_roles WHERE user_id = ? AND role_id = ?");
        remove.bind(1, user_id);
        remove.bind(2, role_id);
        const bool is_changed = remove.exec() > 0;
        transaction.commit();
        return is_changed;
    });
}

bool Store::add_permission(std::string_view role, std::string_view permission)
{
    check_name("permission name", permission);
    return with_context(m_path, "add a permission to " + in_quotes(role), [&] {
        WriteTransaction transaction(*m_db);
        const std::int64_t role_id = require_role_id(*m_db, role);
        SQLite::Statement insert(*m_db, R"sql(
            INSERT OR IGNORE INTO role_permissions (role_id, permission)
            VALUES (?, ?))sql");
        insert.bind(1, role_id);
        bind_text(insert, 2, permission);
        const bool is_changed = insert.exec() > 0;
        if (is_changed) {
            touch_role(*m_db, role_id);
        }
        transaction.commit();
        return is_changed;
    });
}

bool Store::remove_permission(std::string_view role,
                              std::string_view permission)
{
    return with_context(
        m_path, "remove a permission from " + in_quotes(role), [&] {
            WriteTransaction transaction(*m_db);
            const std::int64_t role_id = require_role_id(*m_db, role);
            SQLite::Statement remove(*m_db, R"sql(
            DELETE FROM role_permissions
            WHERE role_id = ? AND permission = ?)sql");
            remove.bind(1, role_id);
            bind_text(remove, 2, permission);
            const bool is_changed = remove.exec() > 0;
            if (is_changed) {
                touch_role(*m_db, role_id);
            }
            transaction.commit();
            return is_changed;
        });
}

void Store::create_session(const Session& session)
{
    with_context(m_path, "create a session", [&] {
        // Selecting from users makes an unknown user a plain "no row" rather
        // than a foreign key failure.
        SQLite::Statement insert(*m_db, R"sql(
            INSERT INTO sessions (id_hash, user_id, uniquifier, csrf_token,
                is_persistent, created_at, last_seen_at)
            SELECT ?1, id, ?3, ?4, ?5, ?6, ?7 FROM users WHERE id = ?2)sql");
        bind_blob(insert, 1, session.id_hash);
        insert.bind(2, session.user_id);
        insert.bind(3, session.uniquifier);
        insert.bind(4, session.csrf_token);
        insert.bind(5, session.is_persistent ? 1 : 0);
        insert.bind(6, session.created_at);
        insert.bind(7, session.last_seen_at);
        if (insert.exec() == 0) {
            throw user_id_not_found(session.user_id);
        }
    });
}

std::optional<Session> Store::find_session(std::string_view id_hash)
{
    return with_context(
        m_path, "find a session", [&]() -> std::optional<Session> {
            SQLite::Statement& query = m_statements->find_session;
            const ResetOnExit reset(query);
            bind_blob(query, 1, id_hash);
            if (!query.executeStep()) {
                return std::nullopt;
            }
            return read_session(query);
        });
}

void Store::touch_session(std::string_view id_hash, Timestamp last_seen_at)
{
    with_context(m_path, "update a session", [&] {
        SQLite::Statement& update = m_statements->touch_session;
        const ResetOnExit reset(update);
        update.bind(1, last_seen_at);
        bind_blob(update, 2, id_hash);
        update.exec();
    });
}

void Store::delete_session(std::string_view id_hash)
{
    with_context(m_path, "delete a session", [&] {
        SQLite::Statement remove(*m_db,
                                 "DELETE FROM sessions WHERE id_hash = ?");
        bind_blob(remove, 1, id_hash);
        remove.exec();
    });
}

void Store::delete_user_sessions(std::int64_t user_id,
                                 std::string_view keep_id_hash)
{
    with_context(m_path, "end the sessions of a user", [&] {
        SQLite::Statement remove(*m_db, R"sql(
            DELETE FROM sessions WHERE user_id = ? AND id_hash != ?)sql");
        remove.bind(1, user_id);
        // An empty blob matches no session, so every one goes.
        bind_blob(remove, 2, keep_id_hash);
        remove.exec();
    });
}

std::int64_t Store::delete_expired_sessions(Timestamp idle_before,
                                            Timestamp created_before,
                                            Timestamp persistent_before)
{
    return with_context(m_path, "delete expired sessions", [&] {
        // A "remember me" session outlives idle periods and the ordinary
        // lifetime: only its own, longer lifetime ends it.
        SQLite::Statement remove(*m_db, R"sql(
            DELETE FROM sessions
            WHERE (is_persistent = 0
                   AND (last_seen_at < ?1 OR created_at < ?2))
               OR (is_persistent != 0 AND created_at < ?3))sql");
        remove.bind(1, idle_before);
        remove.bind(2, created_before);
        remove.bind(3, persistent_before);
        return static_cast<std::int64_t>(remove.exec());
    });
}

std::int64_t Store::data_version()
{
    return with_context(m_path, "read the data version", [&] {
        SQLite::Statement& query = m_statements->data_version;
        const ResetOnExit reset(query);
        query.executeStep();
        return query.getColumn(0).getInt64();
    });
}

void Store::backup_to(const std::string& target)
{
    if (std::filesystem::exists(target)) {
        throw Error("backup target " + in_quotes(target) +
                        " already exists; choose a new file name",
                    Kind::invalid);
    }
    const std::string partial = target + ".partial";
    // The copy holds password hashes and maybe the secret key: create it
    // owner-only before SQLite opens it, whatever the caller's umask.
    const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        throw Error("cannot create backup " + in_quotes(partial) + ": " +
                    std::strerror(errno));
    }
    ::close(fd);
    try {
        with_context(target, "write the backup", [&] {
            SQLite::Database copy(partial,
                                  SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            SQLite::Backup backup(copy, *m_db);
            backup.executeStep(-1);
        });
        std::filesystem::rename(partial, target);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(partial, ignored);
        throw;
    }
}

std::vector<std::string> Store::check()
{
    return with_context(m_path, "check the database", [&] {
        std::vector<std::string> problems;
        SQLite::Statement integrity(*m_db, "PRAGMA integrity_check");
        while (integrity.executeStep()) {
            const std::string line = integrity.getColumn(0).getString();
            if (line != "ok") {
                problems.push_back("integrity: " + line);
            }
        }
        SQLite::Statement foreign_keys(*m_db, "PRAGMA foreign_key_check");
        while (foreign_keys.executeStep()) {
            problems.push_back(
                "foreign key: table " + foreign_keys.getColumn(0).getString() +
                " row " + std::to_string(foreign_keys.getColumn(1).getInt64()) +
                " points to a missing row in " +
                foreign_keys.getColumn(2).getString());
        }
        return problems;
    });
}

} // namespace mfo::core
