#include "core/error.hpp"
#include "core/store.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

using namespace mfo::core;
using mfo::test::TempDir;

namespace {

using Kind = Error::Kind;

Store new_store(const TempDir& dir)
{
    Store::initialize(dir.file("mfo.db"));
    return Store::open(dir.file("mfo.db"));
}

NewUser new_user(std::string email, std::vector<std::string> roles = {})
{
    NewUser user;
    user.email = std::move(email);
    user.password = {"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                     "argon2id"};
    user.roles = std::move(roles);
    return user;
}

Session new_session(std::int64_t user_id, std::string id_hash,
                    bool is_persistent = false, Timestamp created_at = 1000,
                    Timestamp last_seen_at = 1000)
{
    Session session;
    session.id_hash = std::move(id_hash);
    session.user_id = user_id;
    session.uniquifier = "u";
    session.csrf_token = "csrf";
    session.is_persistent = is_persistent;
    session.created_at = created_at;
    session.last_seen_at = last_seen_at;
    return session;
}

std::string read_bytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

template <typename Function> Error caught(Function&& function)
{
    try {
        function();
    } catch (const Error& error) {
        return error;
    }
    FAIL("no mfo::core::Error was thrown");
    return Error("unreachable");
}

std::int64_t count_rows(Store& store, const std::string& table)
{
    return store.database()
        .execAndGet("SELECT count(*) FROM " + table)
        .getInt64();
}

std::string foreign_database(const TempDir& dir)
{
    const std::string path = dir.file("other.db");
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
    db.exec("INSERT INTO notes (text) VALUES ('keep me')");
    return path;
}

} // namespace

// Opening and initializing.

TEST_CASE("store initialize creates a database at the current schema", "[core]")
{
    const TempDir dir;
    const InitResult result = Store::initialize(dir.file("mfo.db"));

    CHECK(result.from_version == 0);
    CHECK(result.to_version == Store::k_schema_version);
    Store store = Store::open(dir.file("mfo.db"));
    CHECK(store.status().schema_version == 2);
    CHECK(store.meta("application") == "mfo");
}

TEST_CASE("store initialize twice is harmless", "[core]")
{
    const TempDir dir;
    Store::initialize(dir.file("mfo.db"));
    Store::open(dir.file("mfo.db")).create_user(new_user("a@x.org"));

    const InitResult result = Store::initialize(dir.file("mfo.db"));

    CHECK(result.from_version == 2);
    CHECK(result.to_version == 2);
    CHECK(Store::open(dir.file("mfo.db")).count_users() == 1);
}

TEST_CASE("store initialize upgrades an older schema and keeps its users",
          "[core]")
{
    const TempDir dir;
    const std::string path = dir.file("mfo.db");
    Store::initialize_to_version(path, 1);
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("INSERT INTO users (email, email_key, uniquifier, created_at,"
                " updated_at) VALUES ('Old@X.org', 'old@x.org', 'q', 1, 1)");
    }
    CHECK(caught([&] { Store::open(path); }).kind() == Kind::not_initialized);

    const InitResult result = Store::initialize(path);

    CHECK(result.from_version == 1);
    CHECK(result.to_version == 2);
    Store store = Store::open(path);
    REQUIRE(store.find_user_by_email("old@x.org"));
    CHECK(store.find_user_by_email("old@x.org")->email == "Old@X.org");
    CHECK(store.database().tableExists("sessions"));
}

TEST_CASE("store initialize creates a file only its owner can read", "[core]")
{
    const TempDir dir;
    Store::initialize(dir.file("mfo.db"));

    struct stat info {};
    REQUIRE(::stat(dir.file("mfo.db").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("store initialize refuses another application's database "
          "unchanged",
          "[core]")
{
    const TempDir dir;
    const std::string path = foreign_database(dir);
    const std::string before = read_bytes(path);

    const Error error = caught([&] { Store::initialize(path); });

    CHECK(error.kind() == Kind::failed);
    CHECK(std::string(error.what()) == "'" + path + "' is not an mfo database");
    CHECK(read_bytes(path) == before);
}

TEST_CASE("store initialize refuses a file that is not SQLite unchanged",
          "[core]")
{
    const TempDir dir;
    const std::string text(4096, 'x');
    const std::string path = dir.write("notes.txt", text);

    const Error error = caught([&] { Store::initialize(path); });

    CHECK(error.kind() == Kind::failed);
    CHECK(std::string(error.what()) ==
          "'" + path + "' is not an SQLite database");
    CHECK(read_bytes(path) == text);
}

TEST_CASE("store initialize refuses a missing directory", "[core]")
{
    const TempDir dir;
    const std::string path = dir.file("missing/mfo.db");

    const Error error = caught([&] { Store::initialize(path); });

    CHECK(error.kind() == Kind::failed);
    CHECK(std::string(error.what()).find("does not exist") !=
          std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("missing")));
}

TEST_CASE("store open refuses a missing file without creating it", "[core]")
{
    const TempDir dir;
    const std::string path = dir.file("mfo.db");

    const Error error = caught([&] { Store::open(path); });

    CHECK(error.kind() == Kind::not_initialized);
    CHECK(std::string(error.what()) ==
          "database '" + path + "' does not exist: run 'mfo db init'");
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("store open refuses an empty file as not initialized", "[core]")
{
    const TempDir dir;
    const std::string path = dir.write("mfo.db", "");

    const Error error = caught([&] { Store::open(path); });

    CHECK(error.kind() == Kind::not_initialized);
    CHECK(std::string(error.what()) ==
          "database '" + path + "' is not initialized: run 'mfo db init'");
    CHECK(read_bytes(path).empty());
}

TEST_CASE("store open refuses another application's database unchanged",
          "[core]")
{
    const TempDir dir;
    const std::string path = foreign_database(dir);
    const std::string before = read_bytes(path);

    const Error error = caught([&] { Store::open(path); });

    CHECK(error.kind() == Kind::failed);
    CHECK(std::string(error.what()) == "'" + path + "' is not an mfo database");
    CHECK(read_bytes(path) == before);
}

TEST_CASE("store open refuses a file that is not SQLite unchanged", "[core]")
{
    const TempDir dir;
    const std::string path = dir.write("mfo.db", std::string(2048, 'z'));

    const Error error = caught([&] { Store::open(path); });

    CHECK(error.kind() == Kind::failed);
    CHECK(std::string(error.what()) ==
          "'" + path + "' is not an SQLite database");
    CHECK(read_bytes(path) == std::string(2048, 'z'));
}

TEST_CASE("store open refuses a schema newer than this mfo", "[core]")
{
    const TempDir dir;
    const std::string path = dir.file("mfo.db");
    Store::initialize(path);
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec("PRAGMA user_version = 7");

    const Error error = caught([&] { Store::open(path); });

    CHECK(error.kind() == Kind::failed);
    CHECK(std::string(error.what()) ==
          "database '" + path +
              "' has schema version 7, newer than this mfo (2): upgrade mfo");
    CHECK(caught([&] { Store::initialize(path); }).kind() == Kind::failed);
}

TEST_CASE("store open refuses an out of date schema", "[core]")
{
    const TempDir dir;
    const std::string path = dir.file("mfo.db");
    Store::initialize_to_version(path, 1);

    const Error error = caught([&] { Store::open(path); });

    CHECK(error.kind() == Kind::not_initialized);
    CHECK(std::string(error.what()) ==
          "database '" + path +
              "' has schema version 1, which is out of date: run 'mfo db "
              "init'");
}

TEST_CASE("store open refuses a directory", "[core]")
{
    const TempDir dir;

    const Error error = caught([&] { Store::open(dir.path().string()); });

    CHECK(error.kind() == Kind::failed);
    CHECK(std::string(error.what()).find("is a directory") !=
          std::string::npos);
}

TEST_CASE("store open turns on foreign keys and WAL", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);

    CHECK(store.database().execAndGet("PRAGMA foreign_keys").getInt() == 1);
    CHECK(store.database().execAndGet("PRAGMA journal_mode").getString() ==
          "wal");
}

TEST_CASE("store reports a locked database as unavailable", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    SQLite::Database other(dir.file("mfo.db"), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    store.database().setBusyTimeout(0);

    const Error error = caught([&] { store.create_user(new_user("a@x.org")); });

    CHECK(error.kind() == Kind::unavailable);
    CHECK(std::string(error.what()) == "cannot create user: database '" +
                                           dir.file("mfo.db") +
                                           "' is locked by another process");
    other.exec("ROLLBACK");
}

TEST_CASE("store can be moved", "[core]")
{
    const TempDir dir;
    Store first = new_store(dir);
    const TempDir other_dir;
    Store second = new_store(other_dir);
    first.create_user(new_user("a@x.org"));

    second = std::move(first);

    CHECK(second.count_users() == 1);
    CHECK(second.find_user(1));
}

// Users.

TEST_CASE("create user keeps the email as entered and finds it in any case",
          "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);

    const User created = store.create_user(new_user("Alice@X.org"));

    CHECK(created.email == "Alice@X.org");
    REQUIRE(store.find_user_by_email("alice@x.ORG"));
    CHECK(store.find_user_by_email("alice@x.ORG")->id == created.id);
    CHECK_FALSE(store.find_user_by_email("bob@x.org"));
    CHECK_FALSE(store.find_user_by_email("not an email"));
}

TEST_CASE("create user refuses an email taken in another letter case", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_user(new_user("Alice@X.org"));

    const Error error =
        caught([&] { store.create_user(new_user("alice@x.ORG")); });

    CHECK(error.kind() == Kind::conflict);
    CHECK(std::string(error.what()) == "user 'alice@x.ORG' already exists");
    CHECK(store.count_users() == 1);
}

TEST_CASE("create user refuses an invalid email", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);

    const Error error =
        caught([&] { store.create_user(new_user("alice.x.org")); });

    CHECK(error.kind() == Kind::invalid);
    CHECK(std::string(error.what()) == "email must contain exactly one '@'");
}

TEST_CASE("create user with an unknown role creates nothing", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("admin", "", {});

    const Error error = caught([&] {
        store.create_user(new_user("a@x.org", {"admin", "ghost"}));
    });

    CHECK(error.kind() == Kind::not_found);
    CHECK(std::string(error.what()) == "role 'ghost' does not exist");
    CHECK(store.count_users() == 0);
    CHECK(count_rows(store, "user_roles") == 0);
}

TEST_CASE("create user refuses a taken username", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    NewUser first = new_user("a@x.org");
    first.username = "alice";
    store.create_user(first);
    NewUser second = new_user("b@x.org");
    second.username = "alice";

    const Error error = caught([&] { store.create_user(second); });

    CHECK(error.kind() == Kind::conflict);
    CHECK(std::string(error.what()) == "username 'alice' is already taken");
}

TEST_CASE("create user fills in every field", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("zeta", "", {});
    store.create_role("alpha", "", {});
    NewUser input = new_user("a@x.org", {"zeta", "alpha"});
    input.username = "alice";
    input.is_active = false;
    input.confirmed_at = 1234;
    const Timestamp before = now();

    const User user = store.create_user(input);

    CHECK(user.id > 0);
    CHECK(user.username == "alice");
    CHECK(user.password.hash == input.password.hash);
    CHECK(user.password.scheme == "argon2id");
    CHECK_FALSE(user.is_active);
    CHECK(user.uniquifier.size() >= 16);
    CHECK(user.confirmed_at == 1234);
    CHECK(user.created_at >= before);
    CHECK(user.updated_at == user.created_at);
    CHECK_FALSE(user.last_login_at);
    CHECK(user.login_count == 0);
    CHECK(user.roles == std::vector<std::string>{"alpha", "zeta"});
}

TEST_CASE("create user gives each user its own uniquifier", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);

    const User a = store.create_user(new_user("a@x.org"));
    const User b = store.create_user(new_user("b@x.org"));

    CHECK(a.uniquifier != b.uniquifier);
}

TEST_CASE("find user by id returns the user or nothing", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const User created = store.create_user(new_user("a@x.org"));

    REQUIRE(store.find_user(created.id));
    CHECK(store.find_user(created.id)->email == "a@x.org");
    CHECK_FALSE(store.find_user(created.id + 1));
}

TEST_CASE("list users pages through users in id order", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    for (const char* email : {"c@x.org", "a@x.org", "b@x.org", "d@x.org"}) {
        store.create_user(new_user(email));
    }

    const std::vector<User> first = store.list_users({std::nullopt, 3, 0});
    const std::vector<User> rest =
        store.list_users({std::nullopt, 3, first.back().id});

    REQUIRE(first.size() == 3);
    CHECK(first[0].email == "c@x.org");
    CHECK(first[2].email == "b@x.org");
    REQUIRE(rest.size() == 1);
    CHECK(rest[0].email == "d@x.org");
    CHECK(store.list_users().size() == 4);
}

TEST_CASE("list users filters by role and fills in roles", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("admin", "", {});
    store.create_role("editor", "", {});
    store.create_user(new_user("a@x.org", {"admin", "editor"}));
    store.create_user(new_user("b@x.org"));
    store.create_user(new_user("c@x.org", {"editor"}));

    const std::vector<User> editors = store.list_users({"editor", -1, 0});
    const std::vector<User> all = store.list_users();

    REQUIRE(editors.size() == 2);
    CHECK(editors[0].email == "a@x.org");
    CHECK(editors[1].email == "c@x.org");
    CHECK(all[0].roles == std::vector<std::string>{"admin", "editor"});
    CHECK(all[1].roles.empty());
    CHECK(store.list_users({"ghost", -1, 0}).empty());
}

TEST_CASE("set active reports whether anything changed", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_user(new_user("a@x.org"));

    CHECK_FALSE(store.set_active("A@x.org", true));
    CHECK(store.set_active("A@x.org", false));
    CHECK_FALSE(store.find_user_by_email("a@x.org")->is_active);
    CHECK_FALSE(store.set_active("a@x.org", false));
    CHECK(store.set_active("a@x.org", true));
}

TEST_CASE("deactivating a user ends their sessions", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const User user = store.create_user(new_user("a@x.org"));
    store.create_session(new_session(user.id, "s1"));

    store.set_active("a@x.org", false);

    CHECK_FALSE(store.find_session("s1"));
}

TEST_CASE("user changes name an unknown email as not found", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);

    const Error error = caught([&] { store.set_active("who@x.org", false); });

    CHECK(error.kind() == Kind::not_found);
    CHECK(std::string(error.what()) == "user 'who@x.org' does not exist");
    CHECK(caught([&] { store.reset_access("who@x.org"); }).kind() ==
          Kind::not_found);
    CHECK(caught([&] { store.delete_user("who@x.org"); }).kind() ==
          Kind::not_found);
    CHECK(caught([&] {
              store.set_password(99, {"h", "argon2id"});
          }).kind() == Kind::not_found);
    CHECK(caught([&] { store.record_login(99, "::1"); }).kind() ==
          Kind::not_found);
}

TEST_CASE("set password rotates the uniquifier and ends sessions", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const User before = store.create_user(new_user("a@x.org"));
    store.create_session(new_session(before.id, "s1"));

    store.set_password(before.id, {"new-hash", "argon2id-hmac"});

    const User after = store.find_user(before.id).value();
    CHECK(after.password.hash == "new-hash");
    CHECK(after.password.scheme == "argon2id-hmac");
    CHECK(after.uniquifier != before.uniquifier);
    CHECK_FALSE(store.find_session("s1"));
}

TEST_CASE("upgrade password hash keeps the uniquifier and sessions", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const User before = store.create_user(new_user("a@x.org"));
    store.create_session(new_session(before.id, "s1"));

    store.upgrade_password_hash(before.id, {"better-hash", "argon2id"});

    const User after = store.find_user(before.id).value();
    CHECK(after.password.hash == "better-hash");
    CHECK(after.uniquifier == before.uniquifier);
    CHECK(store.find_session("s1"));
}

TEST_CASE("reset access rotates the uniquifier and ends sessions", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const User before = store.create_user(new_user("a@x.org"));
    store.create_session(new_session(before.id, "s1"));

    store.reset_access("A@X.org");

    const User after = store.find_user(before.id).value();
    CHECK(after.uniquifier != before.uniquifier);
    CHECK(after.password.hash == before.password.hash);
    CHECK_FALSE(store.find_session("s1"));
}

TEST_CASE("delete user removes its role links and sessions", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("admin", "", {});
    const User user = store.create_user(new_user("a@x.org", {"admin"}));
    store.create_user(new_user("b@x.org", {"admin"}));
    store.create_session(new_session(user.id, "s1"));

    store.delete_user("A@x.org");

    CHECK_FALSE(store.find_user(user.id));
    CHECK(count_rows(store, "sessions") == 0);
    CHECK(count_rows(store, "user_roles") == 1);
    CHECK(store.find_role("admin")->user_count == 1);
}

TEST_CASE("record login moves the current login to the last one", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const User user = store.create_user(new_user("a@x.org"));

    store.record_login(user.id, "10.0.0.1");
    const User first = store.find_user(user.id).value();
    store.database().exec("UPDATE users SET current_login_at = 500");
    store.record_login(user.id, "10.0.0.2");
    const User second = store.find_user(user.id).value();

    CHECK(first.login_count == 1);
    CHECK(first.current_login_ip == "10.0.0.1");
    CHECK(first.last_login_ip == "10.0.0.1");
    CHECK(first.last_login_at == first.current_login_at);
    CHECK(second.login_count == 2);
    CHECK(second.last_login_at == 500);
    CHECK(second.last_login_ip == "10.0.0.1");
    CHECK(second.current_login_ip == "10.0.0.2");
    CHECK(second.current_login_at >= first.current_login_at);
}

// Roles.

TEST_CASE("create role stores its description and sorted permissions", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);

    const Role role =
        store.create_role("admin", "Runs the place", {"users:write", "a.b"});

    CHECK(role.name == "admin");
    CHECK(role.description == "Runs the place");
    CHECK(role.permissions == std::vector<std::string>{"a.b", "users:write"});
    CHECK(role.user_count == 0);
    CHECK(store.find_role("admin")->id == role.id);
    CHECK_FALSE(store.find_role("Admin"));
}

TEST_CASE("create role refuses a taken name", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("admin", "", {});

    const Error error = caught([&] { store.create_role("admin", "", {}); });

    CHECK(error.kind() == Kind::conflict);
    CHECK(std::string(error.what()) == "role 'admin' already exists");
}

TEST_CASE("create role refuses bad role and permission names", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);

    const Error bad_role = caught([&] { store.create_role("a b", "", {}); });
    const Error bad_permission =
        caught([&] { store.create_role("ok", "", {"x/y"}); });

    CHECK(bad_role.kind() == Kind::invalid);
    CHECK(std::string(bad_role.what()).find("'a b'") != std::string::npos);
    CHECK(bad_permission.kind() == Kind::invalid);
    CHECK_FALSE(store.find_role("ok"));
}

TEST_CASE("name problem allows letters, digits and -_.: up to 64", "[core]")
{
    CHECK_FALSE(name_problem("users:read"));
    CHECK_FALSE(name_problem("Team-1_a.b"));
    CHECK_FALSE(name_problem(std::string(64, 'r')));
    CHECK(name_problem(""));
    CHECK(name_problem(std::string(65, 'r')));
    CHECK(name_problem("a b"));
    CHECK(name_problem("a,b"));
    CHECK(name_problem("rôle"));
}

TEST_CASE("list roles orders by name and counts users", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("viewer", "", {"read"});
    store.create_role("admin", "", {});
    store.create_user(new_user("a@x.org", {"viewer"}));
    store.create_user(new_user("b@x.org", {"viewer", "admin"}));

    const std::vector<Role> roles = store.list_roles();

    REQUIRE(roles.size() == 2);
    CHECK(roles[0].name == "admin");
    CHECK(roles[0].user_count == 1);
    CHECK(roles[1].name == "viewer");
    CHECK(roles[1].user_count == 2);
    CHECK(roles[1].permissions == std::vector<std::string>{"read"});
}

TEST_CASE("delete role removes its grants and permissions", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("admin", "", {"a", "b"});
    store.create_role("viewer", "", {"read"});
    const User user = store.create_user(new_user("a@x.org", {"admin"}));

    store.delete_role("admin");

    CHECK_FALSE(store.find_role("admin"));
    CHECK(store.find_user(user.id)->roles.empty());
    CHECK(count_rows(store, "role_permissions") == 1);
    CHECK(caught([&] { store.delete_role("admin"); }).kind() ==
          Kind::not_found);
}

TEST_CASE("grant and revoke role report whether anything changed", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("admin", "", {});
    const User user = store.create_user(new_user("a@x.org"));

    CHECK(store.grant_role("admin", "A@x.org"));
    CHECK_FALSE(store.grant_role("admin", "a@x.org"));
    CHECK(store.find_user(user.id)->roles == std::vector<std::string>{"admin"});
    CHECK(store.revoke_role("admin", "a@x.org"));
    CHECK_FALSE(store.revoke_role("admin", "a@x.org"));
    CHECK(store.find_user(user.id)->roles.empty());
}

TEST_CASE("grant role names an unknown role or user as not found", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("admin", "", {});
    store.create_user(new_user("a@x.org"));

    const Error no_role = caught([&] { store.grant_role("ghost", "a@x.org"); });
    const Error no_user = caught([&] { store.grant_role("admin", "b@x.org"); });

    CHECK(no_role.kind() == Kind::not_found);
    CHECK(std::string(no_role.what()) == "role 'ghost' does not exist");
    CHECK(no_user.kind() == Kind::not_found);
    CHECK(std::string(no_user.what()) == "user 'b@x.org' does not exist");
}

TEST_CASE("add and remove permission report whether anything changed", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("admin", "", {});

    CHECK(store.add_permission("admin", "users:write"));
    CHECK_FALSE(store.add_permission("admin", "users:write"));
    CHECK(store.find_role("admin")->permissions ==
          std::vector<std::string>{"users:write"});
    CHECK(store.remove_permission("admin", "users:write"));
    CHECK_FALSE(store.remove_permission("admin", "users:write"));
    CHECK(caught([&] { store.add_permission("admin", "bad name"); }).kind() ==
          Kind::invalid);
    CHECK(caught([&] { store.add_permission("ghost", "x"); }).kind() ==
          Kind::not_found);
}

// Sessions.

TEST_CASE("session round-trips with a binary id hash", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const User user = store.create_user(new_user("a@x.org"));
    const std::string id_hash("\x00\xff\x01 binary\x00hash", 15);
    store.create_session(new_session(user.id, id_hash, true, 100, 200));

    const std::optional<Session> found = store.find_session(id_hash);

    REQUIRE(found);
    CHECK(found->id_hash == id_hash);
    CHECK(found->user_id == user.id);
    CHECK(found->uniquifier == "u");
    CHECK(found->csrf_token == "csrf");
    CHECK(found->is_persistent);
    CHECK(found->created_at == 100);
    CHECK(found->last_seen_at == 200);
    CHECK_FALSE(store.find_session(std::string("\x00\xff", 2)));
    CHECK_FALSE(store.find_session(""));
}

TEST_CASE("create session refuses an unknown user", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);

    const Error error =
        caught([&] { store.create_session(new_session(42, "s1")); });

    CHECK(error.kind() == Kind::not_found);
    CHECK(std::string(error.what()) == "user with id 42 does not exist");
}

TEST_CASE("touch session updates when it was last seen", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const User user = store.create_user(new_user("a@x.org"));
    store.create_session(new_session(user.id, "s1"));

    store.touch_session("s1", 5000);
    store.touch_session("s1", 6000);

    CHECK(store.find_session("s1")->last_seen_at == 6000);
    CHECK(store.find_session("s1")->created_at == 1000);
}

TEST_CASE("delete session ends only that session", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const User user = store.create_user(new_user("a@x.org"));
    store.create_session(new_session(user.id, "s1"));
    store.create_session(new_session(user.id, "s2"));

    store.delete_session("s1");

    CHECK_FALSE(store.find_session("s1"));
    CHECK(store.find_session("s2"));
}

TEST_CASE("delete user sessions can keep the current one", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const User a = store.create_user(new_user("a@x.org"));
    const User b = store.create_user(new_user("b@x.org"));
    store.create_session(new_session(a.id, "a1"));
    store.create_session(new_session(a.id, "a2"));
    store.create_session(new_session(b.id, "b1"));

    store.delete_user_sessions(a.id, "a2");
    CHECK_FALSE(store.find_session("a1"));
    CHECK(store.find_session("a2"));

    store.delete_user_sessions(a.id);
    CHECK_FALSE(store.find_session("a2"));
    CHECK(store.find_session("b1"));
}

TEST_CASE("delete expired sessions applies idle and lifetime limits", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    const std::int64_t id = store.create_user(new_user("a@x.org")).id;
    store.create_session(new_session(id, "idle", false, 900, 950));
    store.create_session(new_session(id, "old", false, 100, 990));
    store.create_session(new_session(id, "fresh", false, 900, 990));
    store.create_session(new_session(id, "remembered", true, 500, 600));
    store.create_session(new_session(id, "remembered-old", true, 10, 990));

    const std::int64_t removed = store.delete_expired_sessions(960, 800, 400);

    CHECK(removed == 3);
    CHECK_FALSE(store.find_session("idle"));
    CHECK_FALSE(store.find_session("old"));
    CHECK(store.find_session("fresh"));
    CHECK(store.find_session("remembered"));
    CHECK_FALSE(store.find_session("remembered-old"));
}

// Everything else.

TEST_CASE("meta settings can be set, replaced and read", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);

    CHECK_FALSE(store.meta("secret_key"));
    store.set_meta("secret_key", "one");
    store.set_meta("secret_key", "two");

    CHECK(store.meta("secret_key") == "two");
}

TEST_CASE("status counts users, roles and sessions", "[core]")
{
    const TempDir dir;
    Store store = new_store(dir);
    store.create_role("admin", "", {});
    const User a = store.create_user(new_user("a@x.org"));
    NewUser inactive = new_user("b@x.org");
    inactive.is_active = false;
    store.create_user(inactive);
    store.create_session(new_session(a.id, "s1"));

    const DbStatus status = store.status();

    CHECK(status.path == dir.file("mfo.db"));
    CHECK(status.schema_version == 2);
    CHECK(status.user_count == 2);
    CHECK(status.active_user_count == 1);
    CHECK(status.role_count == 1);
    CHECK(status.session_count == 1);
}

TEST_CASE("data version changes when another connection commits", "[core]")
{
    const TempDir dir;
    Store server = new_store(dir);
    Store cli = Store::open(dir.file("mfo.db"));
    const std::int64_t before = server.data_version();

    CHECK(server.data_version() == before);
    cli.create_role("admin", "", {});

    CHECK(server.data_version() != before);
}

TEST_CASE("format time writes ISO 8601 in UTC", "[core]")
{
    CHECK(format_time(0) == "1970-01-01T00:00:00Z");
    CHECK(format_time(1796315392) == "2026-12-03T16:29:52Z");
}

TEST_CASE("now is the current Unix time", "[core]")
{
    CHECK(now() > 1700000000);
    CHECK(now() < 4102444800);
}
