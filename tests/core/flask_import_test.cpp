#include "core/flask_import.hpp"
#include "core/password.hpp"
#include "core/store.hpp"
#include "tests/support/fst_fixture.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <algorithm>
#include <catch2/catch.hpp>

using namespace mfo::core;
using mfo::test::TempDir;

namespace {

Store make_store(const TempDir& dir)
{
    const std::string path = dir.file("mfo.db");
    Store::initialize(path);
    return Store::open(path);
}

ImportReport import_fixture(Store& store, const RoleMap& role_map = {})
{
    const FstDatabase fst =
        read_fst_database(mfo::test::fst_fixture_path(), role_map);
    return import_fst_database(store, fst, false);
}

// An FST-like database written by hand, for rows FST itself would not make.
// Its user table lists the columns in another order than fsqla_v3 does.
std::string make_fst_like(const TempDir& dir, const std::string& rows_sql)
{
    const std::string path = dir.file("fst-like.db");
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(R"sql(
        CREATE TABLE user (password TEXT, login_count INTEGER,
            email TEXT NOT NULL, active BOOLEAN NOT NULL, id INTEGER
            PRIMARY KEY, fs_uniquifier TEXT, create_datetime DATETIME);
        CREATE TABLE role (permissions TEXT, name TEXT, id INTEGER
            PRIMARY KEY);
        CREATE TABLE roles_users (role_id INTEGER, user_id INTEGER);
    )sql");
    db.exec(rows_sql);
    return path;
}

bool contains(const std::vector<std::string>& lines, const std::string& text)
{
    return std::any_of(lines.begin(), lines.end(), [&](const auto& line) {
        return line.find(text) != std::string::npos;
    });
}

} // namespace

TEST_CASE("reading an FST database finds its users, roles and links", "[core]")
{
    const FstDatabase fst = read_fst_database(mfo::test::fst_fixture_path());

    CHECK(fst.users.size() == 8);
    CHECK(fst.roles.size() == 3);
    CHECK(fst.link_count == 6);
    CHECK(fst.duplicate_links == 1);
    CHECK(fst.problems.empty());
    CHECK(fst.needs_salt());
}

TEST_CASE("FST hash kinds are told apart by their prefix", "[core]")
{
    CHECK(fst_hash_kind("$argon2id$v=19$m=19456,t=2,p=8$c2FsdA$aGFzaA") ==
          "argon2");
    CHECK(fst_hash_kind("$2b$04$SSmWZytidOuiD/In.zq/Yu3yCWcMLGdvBWvm0ADby7Ql"
                        "hbFQUtAJm") == "bcrypt");
    CHECK(fst_hash_kind("$argon2i$v=19$m=19456,t=2,p=8$c2FsdA$aGFzaA") ==
          "argon2");
    CHECK(fst_hash_kind("$2a$12$x") == "bcrypt");
    CHECK(fst_hash_kind("$2y$12$x") == "bcrypt");
    CHECK(fst_hash_kind("$pbkdf2-sha512$1000$abc$def") == "pbkdf2-sha512");
    CHECK(fst_hash_kind("$6$rounds=1000$abc$def") == "sha512-crypt");
    CHECK(fst_hash_kind("$1$abc$def") == "other");
    CHECK(fst_hash_kind("hunter22") == "plaintext");
    CHECK(fst_hash_kind("") == "empty");
}

TEST_CASE("FST times are read as UTC seconds", "[core]")
{
    CHECK(parse_fst_time("2025-03-14 09:26:53.589793") == 1741944413);
    CHECK(parse_fst_time("2025-03-14 09:26:53") == 1741944413);
    CHECK(parse_fst_time("2025-03-14T09:26:53") == 1741944413);
    CHECK_FALSE(parse_fst_time("2025-02-30 09:26:53"));
    CHECK_FALSE(parse_fst_time("2025-03-14 09:26:53+01:00"));
    CHECK_FALSE(parse_fst_time("1741944413"));
    CHECK_FALSE(parse_fst_time(""));
}

TEST_CASE("an FST hash verifies with the salt it was made with only", "[core]")
{
    const FstDatabase fst = read_fst_database(mfo::test::fst_fixture_path());
    const PasswordHasher right(k_minimum_cost, "",
                               mfo::test::k_fst_fixture_salt);
    const PasswordHasher wrong(k_minimum_cost, "", "another-salt");

    for (const auto& known : mfo::test::fst_fixture_users()) {
        const FstUser* user = fst.find_user(known.email);
        REQUIRE(user != nullptr);
        const bool is_usable = known.kind == "argon2" || known.kind == "bcrypt";
        CHECK(right.verify(known.password, user->password).is_valid ==
              is_usable);
        CHECK_FALSE(wrong.verify(known.password, user->password).is_valid);
    }
}

TEST_CASE("import keeps a user's fields, roles and uniquifier", "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);
    const FstDatabase fst = read_fst_database(mfo::test::fst_fixture_path());

    import_fst_database(store, fst, false);

    const std::optional<User> admin =
        store.find_user_by_email("ADMIN@example.com");
    REQUIRE(admin);
    CHECK(admin->email == "admin@example.com");
    CHECK(admin->username == "admin");
    CHECK(admin->password.scheme == k_scheme_fst_argon2);
    CHECK(admin->uniquifier == fst.find_user("admin@example.com")->uniquifier);
    CHECK(admin->roles == std::vector<std::string>{"Admin"});
    CHECK(admin->confirmed_at == 1741944413);
    CHECK(admin->created_at == 1741944413);
    CHECK(admin->updated_at == 1741944413 + 3600);
    CHECK(admin->last_login_at == 1741944413 + 2 * 3600);
    CHECK(admin->current_login_ip == "192.0.2.2");
    CHECK(admin->login_count == 1);
    CHECK_FALSE(store.find_user_by_email("inactive@example.com")->is_active);
}

TEST_CASE("import keeps role descriptions and permissions", "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);

    const ImportReport report = import_fixture(store);

    const std::optional<Role> admin = store.find_role("Admin");
    REQUIRE(admin);
    CHECK(admin->description == "Administrator");
    CHECK(admin->permissions ==
          std::vector<std::string>{"admin-read", "admin-write"});
    CHECK(store.find_role("viewer")->permissions.empty());
    CHECK(report.roles_created.size() == 3);
}

TEST_CASE("import counts hashes by kind and names who must reset", "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);

    const ImportReport report = import_fixture(store);

    CHECK(report.users_imported == 8);
    CHECK(report.hashes_by_kind.at("argon2") == 2);
    CHECK(report.hashes_by_kind.at("bcrypt") == 3);
    CHECK(report.hashes_by_kind.at("pbkdf2-sha512") == 1);
    CHECK(report.hashes_by_kind.at("sha512-crypt") == 1);
    CHECK(report.hashes_by_kind.at("plaintext") == 1);
    CHECK(report.must_reset ==
          std::vector<std::string>{"legacy@example.com (pbkdf2-sha512)",
                                   "crypt@example.com (sha512-crypt)",
                                   "plain@example.com (plaintext)"});
}

TEST_CASE("import never copies a plaintext or unsupported hash", "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);

    import_fixture(store);

    const User plain = *store.find_user_by_email("plain@example.com");
    CHECK(plain.password.scheme == k_scheme_none);
    CHECK(plain.password.hash.empty());
    CHECK(store.find_user_by_email("legacy@example.com")->password.hash == "");
}

TEST_CASE("import drops duplicate roles_users rows", "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);

    const ImportReport report = import_fixture(store);

    CHECK(report.links_created == 6);
    CHECK(report.duplicate_links == 1);
    CHECK(store.find_user_by_email("editor@example.com")->roles ==
          std::vector<std::string>{"editor", "viewer"});
    CHECK(store.find_role("editor")->user_count == 2);
}

TEST_CASE("import skips a user whose email exists in any letter case", "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);
    const PasswordHasher hasher(k_minimum_cost, "");
    store.create_user(NewUser{"VIEWER@example.com",
                              std::nullopt,
                              hasher.hash("mfo-password-1"),
                              true,
                              {},
                              {}});

    const ImportReport report = import_fixture(store);

    CHECK(report.users_imported == 7);
    REQUIRE(report.skipped.size() == 1);
    CHECK(report.skipped[0] == "user row 3 'Viewer@Example.com': a user "
                               "with this email is already in mfo");
    const User kept = *store.find_user_by_email("viewer@example.com");
    CHECK(kept.email == "VIEWER@example.com");
    CHECK(hasher.verify("mfo-password-1", kept.password).is_valid);
    CHECK(kept.roles.empty());
}

TEST_CASE("import skips a user whose username is taken in mfo", "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);
    const PasswordHasher hasher(k_minimum_cost, "");
    store.create_user(NewUser{"boss@example.org",
                              "admin",
                              hasher.hash("mfo-password-1"),
                              true,
                              {},
                              {}});

    const ImportReport report = import_fixture(store);

    CHECK(report.skipped ==
          std::vector<std::string>{"user row 1 'admin@example.com': username "
                                   "'admin' is already taken in mfo"});
    CHECK_FALSE(store.find_user_by_email("admin@example.com"));
}

TEST_CASE("import skips a second user with the same email in another case",
          "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);
    const std::string path = make_fst_like(dir, R"sql(
        INSERT INTO user (id, email, active, password)
        VALUES (4, 'sam@example.org', 1, ''), (9, 'Sam@Example.org', 1, '');
    )sql");

    const ImportReport report =
        import_fst_database(store, read_fst_database(path), false);

    CHECK(report.users_imported == 1);
    CHECK(report.skipped ==
          std::vector<std::string>{"user row 9 'Sam@Example.org': same email "
                                   "as user row 4"});
}

TEST_CASE("a dry run reports the import and writes nothing", "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);
    const FstDatabase fst = read_fst_database(mfo::test::fst_fixture_path());

    const ImportReport report = import_fst_database(store, fst, true);

    CHECK(report.is_dry_run);
    CHECK(report.users_imported == 8);
    CHECK(report.roles_created.size() == 3);
    const DbStatus status = store.status();
    CHECK(status.user_count == 0);
    CHECK(status.role_count == 0);
}

TEST_CASE("a role map renames roles on import", "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);

    import_fixture(store, RoleMap{{"Admin", "admin"}});

    CHECK(store.find_user_by_email("admin@example.com")->roles ==
          std::vector<std::string>{"admin"});
    CHECK(store.find_role("admin")->description == "Administrator");
    CHECK_FALSE(store.find_role("Admin"));
}

TEST_CASE("a role map that merges two roles is a problem", "[core]")
{
    const FstDatabase fst = read_fst_database(mfo::test::fst_fixture_path(),
                                              RoleMap{{"Admin", "editor"}});

    REQUIRE(fst.problems.size() == 1);
    CHECK(fst.problems[0] == "role row 2: 'editor' would become 'editor', "
                             "the name of role row 1; change --role-map");
}

TEST_CASE("an existing role is kept, linked and given the missing "
          "permissions",
          "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);
    store.create_role("editor", "Ours", {"site-edit"});

    const ImportReport report = import_fixture(store);

    const Role editor = *store.find_role("editor");
    CHECK(editor.description == "Ours");
    CHECK(editor.permissions ==
          std::vector<std::string>{"programme-write", "site-edit"});
    CHECK(editor.user_count == 2);
    CHECK(report.roles_merged ==
          std::vector<std::string>{
              "'editor' (already in mfo; 1 permission added)"});
}

TEST_CASE("a file that is not SQLite is refused naming the file", "[core]")
{
    const TempDir dir;
    const std::string path = dir.write("users.db", std::string(4096, 'x'));

    try {
        read_fst_database(path);
        FAIL("no error");
    } catch (const Error& error) {
        CHECK(std::string(error.what()) ==
              "'" + path + "' is not an SQLite database");
    }
}

TEST_CASE("a database without FST's tables is refused naming the table",
          "[core]")
{
    const TempDir dir;
    const std::string path = dir.file("other.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE)
        .exec("CREATE TABLE user (id INTEGER, email TEXT)");

    try {
        read_fst_database(path);
        FAIL("no error");
    } catch (const Error& error) {
        CHECK(std::string(error.what()) ==
              "'" + path +
                  "' is not a Flask-Security database: it has no "
                  "table 'role'");
    }
}

TEST_CASE("a missing FST file is refused and never created", "[core]")
{
    const TempDir dir;
    const std::string path = dir.file("missing.db");

    CHECK_THROWS_AS(read_fst_database(path), Error);
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("FST columns are read by name whatever their order", "[core]")
{
    const TempDir dir;
    const std::string path = make_fst_like(dir, R"sql(
        INSERT INTO user (id, email, active, password, login_count,
                          fs_uniquifier, create_datetime)
        VALUES (5, 'kim@example.org', 0, '$2b$04$x', 12, 'u-5',
                '2025-03-14 09:26:53');
        INSERT INTO role (id, name, permissions) VALUES (2, 'crew', ' a, b,a');
        INSERT INTO roles_users (user_id, role_id) VALUES (5, 2);
    )sql");

    const FstDatabase fst = read_fst_database(path);

    REQUIRE(fst.users.size() == 1);
    const FstUser& user = fst.users[0];
    CHECK(user.row == 5);
    CHECK(user.email == "kim@example.org");
    CHECK_FALSE(user.is_active);
    CHECK(user.hash_kind == "bcrypt");
    CHECK(user.login_count == 12);
    CHECK(user.uniquifier == "u-5");
    CHECK(user.created_at == 1741944413);
    CHECK(user.roles == std::vector<std::string>{"crew"});
    CHECK(fst.roles[0].permissions == std::vector<std::string>{"a", "b"});
}

TEST_CASE("a row that cannot be imported is a problem naming the row", "[core]")
{
    const TempDir dir;
    const std::string path = make_fst_like(dir, R"sql(
        INSERT INTO user (id, email, active, create_datetime)
        VALUES (7, 'not-an-email', 1, '2025-03-14 09:26:53'),
               (8, 'ok@example.org', 1, 'yesterday');
        INSERT INTO role (id, name) VALUES (3, 'Event Manager');
    )sql");

    const FstDatabase fst = read_fst_database(path);

    REQUIRE(fst.problems.size() == 3);
    CHECK(fst.problems[0].rfind("user row 7: email 'not-an-email' is not "
                                "valid: ",
                                0) == 0);
    CHECK(fst.problems[1] == "user row 8: create_datetime 'yesterday' is "
                             "not a date and time");
    CHECK(fst.problems[2].rfind("role row 3: name 'Event Manager' is not "
                                "valid: ",
                                0) == 0);
    CHECK(fst.problems[2].find("--role-map") != std::string::npos);
}

TEST_CASE("an import with problems writes nothing", "[core]")
{
    const TempDir dir;
    Store store = make_store(dir);
    const std::string path = make_fst_like(dir, R"sql(
        INSERT INTO user (id, email, active)
        VALUES (1, 'ok@example.org', 1), (7, 'not-an-email', 1);
    )sql");
    const FstDatabase fst = read_fst_database(path);

    CHECK_THROWS_AS(import_fst_database(store, fst, false), Error);
    CHECK(store.count_users() == 0);
}

TEST_CASE("a link to a missing row is ignored with a note", "[core]")
{
    const TempDir dir;
    const std::string path = make_fst_like(dir, R"sql(
        INSERT INTO user (id, email, active) VALUES (1, 'a@example.org', 1);
        INSERT INTO roles_users (user_id, role_id) VALUES (1, 42);
    )sql");

    const FstDatabase fst = read_fst_database(path);

    CHECK(fst.link_count == 0);
    CHECK(contains(fst.notes, "user row 1 to role row 42"));
}
