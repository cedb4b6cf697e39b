#include "core/schema.hpp"

#include "core/store.hpp"

#include <array>

namespace mfo::core {
namespace {

// Version 1: users, roles and the links between them. The meta row
// ('application', 'mfo') is how open() tells our file from a stranger's.
constexpr std::string_view k_version_1 = R"sql(
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('application', 'mfo');

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    username TEXT UNIQUE,
    password_hash TEXT NOT NULL DEFAULT '',
    password_scheme TEXT NOT NULL DEFAULT 'none',
    is_active INTEGER NOT NULL DEFAULT 1,
    uniquifier TEXT NOT NULL UNIQUE,
    confirmed_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_login_at INTEGER,
    last_login_ip TEXT,
    current_login_at INTEGER,
    current_login_ip TEXT,
    login_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE role_permissions (
    role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
) WITHOUT ROWID;

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
) WITHOUT ROWID;
-- Deleting a role and filtering users by role search by role_id.
CREATE INDEX user_roles_role_id ON user_roles (role_id);
)sql";

// Version 2: server-side login sessions, keyed by the hash of their id.
constexpr std::string_view k_version_2 = R"sql(
CREATE TABLE sessions (
    id_hash BLOB PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    uniquifier TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    is_persistent INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
-- Ending a user's sessions and the cascade from users search by user_id.
CREATE INDEX sessions_user_id ON sessions (user_id);
)sql";

constexpr std::array k_migrations{k_version_1, k_version_2};
static_assert(k_migrations.size() == Store::k_schema_version);

} // namespace

std::span<const std::string_view> schema_migrations()
{
    return k_migrations;
}

} // namespace mfo::core
