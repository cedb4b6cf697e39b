#pragma once

#include "core/password.hpp"
#include "core/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfo::core {

// One row of a Flask-Security-Too `user` table, ready for mfo. Rows are
// named by their FST id in every message: "user row 7".
struct FstUser {
    std::int64_t row = 0;
    std::string email;
    std::optional<std::string> username;
    // Scheme fst-argon2 or fst-bcrypt; for any other kind, scheme none and
    // an empty hash, so no plaintext or foreign hash is ever copied.
    PasswordHash password;
    // "argon2", "bcrypt", "pbkdf2-sha512", "pbkdf2-sha256", "sha512-crypt",
    // "sha256-crypt", "plaintext", "empty" or "other".
    std::string hash_kind;
    bool is_active = true;
    std::string uniquifier; // FST's fs_uniquifier; empty if it had none
    std::optional<Timestamp> confirmed_at;
    std::optional<Timestamp> created_at;
    std::optional<Timestamp> updated_at;
    std::optional<Timestamp> last_login_at;
    std::optional<std::string> last_login_ip;
    std::optional<Timestamp> current_login_at;
    std::optional<std::string> current_login_ip;
    std::int64_t login_count = 0;
    std::vector<std::string> roles; // mfo names after --role-map, sorted
};

struct FstRole {
    std::int64_t row = 0;
    std::string name;          // the mfo name, after --role-map
    std::string original_name; // as in the FST database
    std::string description;
    std::vector<std::string> permissions; // sorted, without duplicates
};

// What read_fst_database() found. `problems` are rows that cannot be
// imported as they are (bad email, bad role name, unreadable time); an
// import must not run while there are any. `notes` are harmless oddities.
struct FstDatabase {
    std::vector<FstUser> users;
    std::vector<FstRole> roles;
    std::int64_t link_count = 0;      // distinct user-role pairs
    std::int64_t duplicate_links = 0; // repeated roles_users rows dropped
    std::vector<std::string> problems;
    std::vector<std::string> notes;

    // Whether any hash needs SECURITY_PASSWORD_SALT to verify.
    bool needs_salt() const;
    const FstUser* find_user(std::string_view email) const;
};

// FST role name -> mfo role name, from `--role-map OLD=NEW`.
using RoleMap = std::map<std::string, std::string>;

// Opens `path` read-only (never creating it) and reads the tables `user`,
// `role` and `roles_users` by column name, renaming roles by `role_map`
// (names it does not find are ignored). Throws Error(not_found) for a
// missing file, Error(failed) for a file that is not SQLite or lacks a
// table or a required column.
FstDatabase read_fst_database(const std::string& path,
                              const RoleMap& role_map = {});

// The kind of an FST password hash, by its prefix; see FstUser::hash_kind.
std::string fst_hash_kind(std::string_view hash);

// "2026-12-03 16:23:12.123456" (SQLAlchemy's naive UTC; the fraction and
// a "T" separator are optional) as seconds since the epoch.
std::optional<Timestamp> parse_fst_time(std::string_view text);

struct ImportReport {
    bool is_dry_run = false;
    std::int64_t users_imported = 0;
    std::vector<std::string> imported; // emails, in row order
    std::vector<std::string> skipped;  // "user row 3 'a@b.org': reason"
    std::vector<std::string> roles_created;
    std::vector<std::string> roles_merged; // "'admin': 2 permissions added"
    std::int64_t links_created = 0;
    std::int64_t duplicate_links = 0;
    // Among imported users: "argon2", "bcrypt", and each other kind.
    std::map<std::string, std::int64_t> hashes_by_kind;
    // Imported users without a usable hash: "legacy@b.org (pbkdf2-sha512)".
    std::vector<std::string> must_reset;
};

// Writes the users, roles, permissions and links of `fst` into `store` in
// one immediate transaction, rolled back instead of committed when
// `is_dry_run`. Users whose email (in any letter case) or username is taken
// are skipped and reported; existing roles are kept, gain the missing
// permissions and get the links. Throws Error(invalid) when `fst` has
// problems, and lets SQLite failures through as Error; nothing is written
// then.
ImportReport import_fst_database(Store& store, const FstDatabase& fst,
                                 bool is_dry_run);

} // namespace mfo::core
