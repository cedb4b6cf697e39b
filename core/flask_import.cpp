#include "core/flask_import.hpp"

#include "core/crypto.hpp"
#include "core/email.hpp"
#include "core/sql_binding.hpp"
#include "core/text.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sqlite3.h>

namespace mfo::core {
namespace {

using Kind = Error::Kind;

constexpr std::size_t k_uniquifier_bytes = 16;
constexpr std::size_t k_max_username_length = 254;

bool has_control(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

std::string row_name(std::string_view table, std::int64_t row)
{
    return std::string(table) + " row " + std::to_string(row);
}

// Reading the FST file.

// A SELECT over the columns wanted, in this order, whatever order the table
// has them in; a column the table lacks reads as NULL.
class TableReader {
public:
    TableReader(SQLite::Database& db, std::string table,
                const std::vector<std::string>& wanted,
                const std::vector<std::string>& required)
        : m_table(std::move(table))
    {
        std::set<std::string> present;
        SQLite::Statement info(db, "SELECT name FROM pragma_table_info(?)");
        info.bind(1, m_table);
        while (info.executeStep()) {
            present.insert(info.getColumn(0).getString());
        }
        if (present.empty()) {
            throw Error("it has no table '" + m_table + "'");
        }
        for (const std::string& column : required) {
            if (!present.count(column)) {
                throw Error("its table '" + m_table + "' has no column '" +
                            column + "'");
            }
        }
        std::string sql = "SELECT ";
        for (size_t i = 0; i < wanted.size(); ++i) {
            sql += i == 0 ? "" : ", ";
            sql += present.count(wanted[i]) ? "\"" + wanted[i] + "\"" : "NULL";
        }
        m_statement.emplace(db, sql + " FROM \"" + m_table + "\"");
    }

    bool next() { return m_statement->executeStep(); }
    SQLite::Column column(int index) { return m_statement->getColumn(index); }

private:
    std::string m_table;
    std::optional<SQLite::Statement> m_statement;
};

std::optional<std::string> optional_text(const SQLite::Column& column)
{
    if (column.isNull()) {
        return std::nullopt;
    }
    return column.getString();
}

// Records a problem and returns nothing for an unreadable time.
std::optional<Timestamp> read_time(const SQLite::Column& column,
                                   const std::string& where,
                                   std::string_view name,
                                   std::vector<std::string>& problems)
{
    if (column.isNull()) {
        return std::nullopt;
    }
    const std::string text = column.getString();
    std::optional<Timestamp> time = parse_fst_time(text);
    if (!time) {
        problems.push_back(where + ": " + std::string(name) + " " +
                           in_quotes(text) + " is not a date and time");
    }
    return time;
}

PasswordHash imported_hash(std::string_view hash, std::string_view kind)
{
    if (kind == "argon2") {
        return {std::string(hash), std::string(k_scheme_fst_argon2)};
    }
    if (kind == "bcrypt") {
        return {std::string(hash), std::string(k_scheme_fst_bcrypt)};
    }
    return {"", std::string(k_scheme_none)};
}

void check_user(const FstUser& user, const std::string& where,
                std::vector<std::string>& problems)
{
    if (user.email.empty()) {
        problems.push_back(where + ": it has no email");
    } else if (const auto problem = email_problem(user.email)) {
        problems.push_back(where + ": email " + in_quotes(user.email) +
                           " is not valid: " + *problem);
    }
    if (user.username && (user.username->size() > k_max_username_length ||
                          has_control(*user.username))) {
        problems.push_back(where + ": username " + in_quotes(*user.username) +
                           " is not valid: it must be 1 to 254 bytes "
                           "without control characters");
    }
}

const std::vector<std::string> k_user_columns{"id",
                                              "email",
                                              "username",
                                              "password",
                                              "active",
                                              "fs_uniquifier",
                                              "confirmed_at",
                                              "create_datetime",
                                              "update_datetime",
                                              "last_login_at",
                                              "last_login_ip",
                                              "current_login_at",
                                              "current_login_ip",
                                              "login_count"};

FstUser read_user_row(TableReader& table, std::vector<std::string>& problems)
{
    FstUser user;
    user.row = table.column(0).getInt64();
    const std::string where = row_name("user", user.row);
    user.email = table.column(1).getString();
    user.username = optional_text(table.column(2));
    if (user.username && user.username->empty()) {
        user.username.reset();
    }
    const std::string hash = table.column(3).getString();
    user.hash_kind = fst_hash_kind(hash);
    user.password = imported_hash(hash, user.hash_kind);
    user.is_active = table.column(4).isNull() || table.column(4).getInt() != 0;
    user.uniquifier = table.column(5).getString();
    user.confirmed_at =
        read_time(table.column(6), where, "confirmed_at", problems);
    user.created_at =
        read_time(table.column(7), where, "create_datetime", problems);
    user.updated_at =
        read_time(table.column(8), where, "update_datetime", problems);
    user.last_login_at =
        read_time(table.column(9), where, "last_login_at", problems);
    user.last_login_ip = optional_text(table.column(10));
    user.current_login_at =
        read_time(table.column(11), where, "current_login_at", problems);
    user.current_login_ip = optional_text(table.column(12));
    user.login_count = table.column(13).getInt64();
    check_user(user, where, problems);
    return user;
}

// FST keeps permissions as one comma-separated text (its AsaList type).
std::vector<std::string> split_permissions(const std::string& list)
{
    std::set<std::string> names;
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t end = std::min(list.find(',', start), list.size());
        std::string name = list.substr(start, end - start);
        name.erase(0, name.find_first_not_of(" \t"));
        name.erase(name.find_last_not_of(" \t") + 1);
        if (!name.empty()) {
            names.insert(name);
        }
        start = end + 1;
    }
    return {names.begin(), names.end()};
}

FstRole read_role_row(TableReader& table, const RoleMap& role_map,
                      std::vector<std::string>& problems)
{
    FstRole role;
    role.row = table.column(0).getInt64();
    role.original_name = table.column(1).getString();
    const auto mapped = role_map.find(role.original_name);
    role.name = mapped == role_map.end() ? role.original_name : mapped->second;
    role.description = table.column(2).getString();
    role.permissions = split_permissions(table.column(3).getString());

    const std::string where = row_name("role", role.row);
    if (const auto problem = name_problem(role.name)) {
        problems.push_back(where + ": name " + in_quotes(role.name) +
                           " is not valid: " + *problem +
                           "; rename it with --role-map");
    }
    for (const std::string& permission : role.permissions) {
        if (const auto problem = name_problem(permission)) {
            problems.push_back(where + ": permission " + in_quotes(permission) +
                               " is not valid: " + *problem);
        }
    }
    return role;
}

void read_users(SQLite::Database& db, FstDatabase& fst)
{
    TableReader table(db, "user", k_user_columns, {"id", "email"});
    while (table.next()) {
        fst.users.push_back(read_user_row(table, fst.problems));
    }
}

void read_roles(SQLite::Database& db, const RoleMap& role_map, FstDatabase& fst)
{
    TableReader table(db, "role", {"id", "name", "description", "permissions"},
                      {"id", "name"});
    std::map<std::string, std::int64_t> rows_by_name;
    while (table.next()) {
        FstRole role = read_role_row(table, role_map, fst.problems);
        const auto [first, is_new] = rows_by_name.emplace(role.name, role.row);
        if (!is_new) {
            fst.problems.push_back(
                row_name("role", role.row) + ": " +
                in_quotes(role.original_name) + " would become " +
                in_quotes(role.name) + ", the name of role row " +
                std::to_string(first->second) + "; change --role-map");
        }
        fst.roles.push_back(std::move(role));
    }
}

// Links go onto the users; a pair stored twice counts once, and a link to
// a row that does not exist (no foreign keys in FST's SQLite) is noted.
void read_links(SQLite::Database& db, FstDatabase& fst)
{
    TableReader table(db, "roles_users", {"user_id", "role_id"},
                      {"user_id", "role_id"});
    std::map<std::int64_t, FstUser*> users;
    for (FstUser& user : fst.users) {
        users[user.row] = &user;
    }
    std::map<std::int64_t, const FstRole*> roles;
    for (const FstRole& role : fst.roles) {
        roles[role.row] = &role;
    }
    std::set<std::pair<std::int64_t, std::int64_t>> seen;
    while (table.next()) {
        const std::int64_t user_id = table.column(0).getInt64();
        const std::int64_t role_id = table.column(1).getInt64();
        const auto user = users.find(user_id);
        const auto role = roles.find(role_id);
        if (user == users.end() || role == roles.end()) {
            fst.notes.push_back("roles_users: the link of user row " +
                                std::to_string(user_id) + " to role row " +
                                std::to_string(role_id) +
                                " names a missing row; ignored");
        } else if (!seen.emplace(user_id, role_id).second) {
            ++fst.duplicate_links;
        } else {
            user->second->roles.push_back(role->second->name);
            ++fst.link_count;
        }
    }
    for (FstUser& user : fst.users) {
        std::sort(user.roles.begin(), user.roles.end());
    }
}

void require_file(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (!fs::exists(status)) {
        throw Error("Flask database " + in_quotes(path) + " does not exist",
                    Kind::not_found);
    }
    if (!fs::is_regular_file(status)) {
        throw Error("Flask database " + in_quotes(path) + " is not a file");
    }
}

std::string describe_sqlite_error(const SQLite::Exception& error,
                                  const std::string& path)
{
    switch (error.getErrorCode() & 0xff) {
    case SQLITE_NOTADB:
        return in_quotes(path) + " is not an SQLite database";
    case SQLITE_CORRUPT:
        return "Flask database " + in_quotes(path) + " is corrupt";
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        return "cannot open Flask database " + in_quotes(path) +
               " (check the permissions)";
    default:
        return "cannot read Flask database " + in_quotes(path) + ": " +
               error.what();
    }
}

// Writing into mfo.

class ImportWriter {
public:
    ImportWriter(SQLite::Database& db, bool is_dry_run) : m_db(db)
    {
        m_report.is_dry_run = is_dry_run;
    }

    void add_role(const FstRole& role);
    void add_user(const FstUser& user);
    ImportReport report() const { return m_report; }

private:
    std::optional<std::int64_t> find_id(const char* sql, std::string_view key);
    std::optional<std::string> skip_reason(const FstUser& user,
                                           const std::string& key);
    std::int64_t insert_user(const FstUser& user, const std::string& key);
    int add_permissions(std::int64_t role_id, const FstRole& role);

    SQLite::Database& m_db;
    ImportReport m_report;
    Timestamp m_now = now();
    std::map<std::string, std::int64_t> m_role_ids;
    std::map<std::string, std::int64_t> m_imported_keys; // email key -> row
};

std::optional<std::int64_t> ImportWriter::find_id(const char* sql,
                                                  std::string_view key)
{
    SQLite::Statement query(m_db, sql);
    query.bind(1, std::string(key));
    if (!query.executeStep()) {
        return std::nullopt;
    }
    return query.getColumn(0).getInt64();
}

int ImportWriter::add_permissions(std::int64_t role_id, const FstRole& role)
{
    SQLite::Statement add(m_db, "INSERT OR IGNORE INTO role_permissions "
                                "(role_id, permission) VALUES (?, ?)");
    int added = 0;
    for (const std::string& permission : role.permissions) {
        add.bind(1, role_id);
        add.bind(2, permission);
        added += add.exec();
        add.reset();
    }
    return added;
}

void ImportWriter::add_role(const FstRole& role)
{
    if (const auto id =
            find_id("SELECT id FROM roles WHERE name = ?", role.name)) {
        // An existing role keeps its description; it only gains what the
        // Flask app let its holders do, so no one loses a permission.
        const int added = add_permissions(*id, role);
        m_role_ids[role.name] = *id;
        m_report.roles_merged.push_back(
            in_quotes(role.name) + " (already in mfo; " +
            std::to_string(added) +
            (added == 1 ? " permission" : " permissions") + " added)");
        return;
    }
    SQLite::Statement insert(m_db, R"sql(
        INSERT INTO roles (name, description, created_at, updated_at)
        VALUES (?1, ?2, ?3, ?3))sql");
    insert.bind(1, role.name);
    insert.bind(2, role.description);
    insert.bind(3, m_now);
    insert.exec();
    const std::int64_t id = m_db.getLastInsertRowid();
    add_permissions(id, role);
    m_role_ids[role.name] = id;
    m_report.roles_created.push_back(role.name);
}

std::optional<std::string> ImportWriter::skip_reason(const FstUser& user,
                                                     const std::string& key)
{
    if (const auto first = m_imported_keys.find(key);
        first != m_imported_keys.end()) {
        return "same email as user row " + std::to_string(first->second);
    }
    if (find_id("SELECT id FROM users WHERE email_key = ?", key)) {
        return "a user with this email is already in mfo";
    }
    if (user.username &&
        find_id("SELECT id FROM users WHERE username = ?", *user.username)) {
        return "username " + in_quotes(*user.username) +
               " is already taken in mfo";
    }
    return std::nullopt;
}

std::int64_t ImportWriter::insert_user(const FstUser& user,
                                       const std::string& key)
{
    // FST's uniquifier is kept so nothing derived from it changes; one that
    // is missing or already used in mfo is replaced by a fresh one.
    std::string uniquifier = user.uniquifier;
    if (uniquifier.empty() ||
        find_id("SELECT id FROM users WHERE uniquifier = ?", uniquifier)) {
        uniquifier = random_token(k_uniquifier_bytes);
    }
    SQLite::Statement insert(m_db, R"sql(
        INSERT INTO users (email, email_key, username, password_hash,
            password_scheme, is_active, uniquifier, confirmed_at, created_at,
            updated_at, last_login_at, last_login_ip, current_login_at,
            current_login_ip, login_count)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
    const Timestamp created_at = user.created_at.value_or(m_now);
    insert.bind(1, user.email);
    insert.bind(2, key);
    bind_optional(insert, 3, user.username);
    insert.bind(4, user.password.hash);
    insert.bind(5, user.password.scheme);
    insert.bind(6, user.is_active ? 1 : 0);
    insert.bind(7, uniquifier);
    bind_optional(insert, 8, user.confirmed_at);
    insert.bind(9, created_at);
    insert.bind(10, user.updated_at.value_or(created_at));
    bind_optional(insert, 11, user.last_login_at);
    bind_optional(insert, 12, user.last_login_ip);
    bind_optional(insert, 13, user.current_login_at);
    bind_optional(insert, 14, user.current_login_ip);
    insert.bind(15, user.login_count);
    insert.exec();
    return m_db.getLastInsertRowid();
}

void ImportWriter::add_user(const FstUser& user)
{
    const std::string key = email_key(user.email);
    if (const auto reason = skip_reason(user, key)) {
        m_report.skipped.push_back(row_name("user", user.row) + " " +
                                   in_quotes(user.email) + ": " + *reason);
        return;
    }
    const std::int64_t id = insert_user(user, key);
    m_imported_keys.emplace(key, user.row);

    SQLite::Statement link(m_db, "INSERT OR IGNORE INTO user_roles "
                                 "(user_id, role_id) VALUES (?, ?)");
    for (const std::string& role : user.roles) {
        link.bind(1, id);
        link.bind(2, m_role_ids.at(role));
        m_report.links_created += link.exec();
        link.reset();
    }
    ++m_report.users_imported;
    m_report.imported.push_back(user.email);
    ++m_report.hashes_by_kind[user.hash_kind];
    if (user.password.scheme == k_scheme_none) {
        m_report.must_reset.push_back(user.email + " (" + user.hash_kind + ")");
    }
}

} // namespace

bool FstDatabase::needs_salt() const
{
    return std::any_of(users.begin(), users.end(), [](const FstUser& user) {
        return user.password.scheme != k_scheme_none;
    });
}

const FstUser* FstDatabase::find_user(std::string_view email) const
{
    if (email_problem(email)) {
        return nullptr;
    }
    const std::string key = email_key(email);
    for (const FstUser& user : users) {
        if (!email_problem(user.email) && email_key(user.email) == key) {
            return &user;
        }
    }
    return nullptr;
}

std::string fst_hash_kind(std::string_view hash)
{
    const auto starts = [hash](std::string_view prefix) {
        return hash.substr(0, prefix.size()) == prefix;
    };
    if (hash.empty()) {
        return "empty";
    }
    if (starts("$argon2id$") || starts("$argon2i$")) {
        return "argon2";
    }
    if (starts("$2a$") || starts("$2b$") || starts("$2y$")) {
        return "bcrypt";
    }
    if (starts("$pbkdf2-sha512$")) {
        return "pbkdf2-sha512";
    }
    if (starts("$pbkdf2-sha256$")) {
        return "pbkdf2-sha256";
    }
    if (starts("$6$")) {
        return "sha512-crypt";
    }
    if (starts("$5$")) {
        return "sha256-crypt";
    }
    // FST stores its "plaintext" scheme as the bare password.
    return starts("$") ? "other" : "plaintext";
}

std::optional<Timestamp> parse_fst_time(std::string_view text)
{
    int year = 0;
    unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
    char separator = 0;
    int used = 0;
    const std::string copy(text);
    if (std::sscanf(copy.c_str(), "%4d-%2u-%2u%c%2u:%2u:%2u%n", &year, &month,
                    &day, &separator, &hour, &minute, &second, &used) != 7 ||
        used != 19 || (separator != ' ' && separator != 'T')) {
        return std::nullopt;
    }
    // Only a fraction of a second may follow; SQLAlchemy writes 6 digits.
    const std::string_view rest = text.substr(19);
    if (!rest.empty() &&
        (rest[0] != '.' || rest.size() == 1 ||
         rest.find_first_not_of("0123456789", 1) != std::string_view::npos)) {
        return std::nullopt;
    }
    using namespace std::chrono;
    const year_month_day date{std::chrono::year{year},
                              std::chrono::month{month}, std::chrono::day{day}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
        return std::nullopt;
    }
    const sys_seconds time =
        sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
    return time.time_since_epoch().count();
}

FstDatabase read_fst_database(const std::string& path, const RoleMap& role_map)
{
    require_file(path);
    try {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        FstDatabase fst;
        read_users(db, fst);
        read_roles(db, role_map, fst);
        read_links(db, fst);
        return fst;
    } catch (const SQLite::Exception& error) {
        throw Error(describe_sqlite_error(error, path));
    } catch (const Error& error) {
        // TableReader names only the table; say which file it is about.
        throw Error(in_quotes(path) +
                    " is not a Flask-Security database: " + error.what());
    }
}

ImportReport import_fst_database(Store& store, const FstDatabase& fst,
                                 bool is_dry_run)
{
    if (!fst.problems.empty()) {
        throw Error("the Flask database has " +
                        std::to_string(fst.problems.size()) +
                        " row(s) that cannot be imported, the first: " +
                        fst.problems.front(),
                    Kind::invalid);
    }
    try {
        SQLite::Transaction transaction(store.database(),
                                        SQLite::TransactionBehavior::IMMEDIATE);
        ImportWriter writer(store.database(), is_dry_run);
        for (const FstRole& role : fst.roles) {
            writer.add_role(role);
        }
        for (const FstUser& user : fst.users) {
            writer.add_user(user);
        }
        ImportReport report = writer.report();
        report.duplicate_links = fst.duplicate_links;
        // A dry run leaves through the transaction's destructor, which rolls
        // back, so it runs exactly the statements a real import would.
        if (!is_dry_run) {
            transaction.commit();
        }
        return report;
    } catch (const SQLite::Exception& error) {
        const int code = error.getErrorCode() & 0xff;
        const bool is_busy = code == SQLITE_BUSY || code == SQLITE_LOCKED ||
                             code == SQLITE_READONLY || code == SQLITE_FULL;
        throw Error("cannot import into database " + in_quotes(store.path()) +
                        ": " + error.what() + "; nothing was written",
                    is_busy ? Kind::unavailable : Kind::failed);
    }
}

} // namespace mfo::core
