#pragma once

#include "tests/support/temp_dir.hpp"

#include <string>
#include <vector>

namespace mfo::test {

// A user of tests/fixtures/fst_v3.sqlite, as tests/fixtures/make_fst_db.py
// made it (the same list is in tests/fixtures/fst_v3.json).
struct FstFixtureUser {
    std::string email;
    std::string password;
    std::string kind; // fst_hash_kind(): "argon2", "bcrypt", ...
    std::vector<std::string> roles;
    bool is_active = true;
};

// The SECURITY_PASSWORD_SALT the fixture was made with.
inline constexpr const char* k_fst_fixture_salt = "fixture-salt-4f9c2b";

const std::vector<FstFixtureUser>& fst_fixture_users();

// The checked-in fixture, read-only: copy it before anything may write.
std::string fst_fixture_path();

// Runs the generator with Debian's python3 into `dir` and returns the new
// database's path, or an empty string when python3-flask-security (or
// python3 itself) is missing. Throws when the generator itself fails.
std::string generate_fst_fixture(const TempDir& dir);

} // namespace mfo::test
