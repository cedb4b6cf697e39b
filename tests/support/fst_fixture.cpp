#include "tests/support/fst_fixture.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace mfo::test {

const std::vector<FstFixtureUser>& fst_fixture_users()
{
    static const std::vector<FstFixtureUser> users{
        {"admin@example.com", "admin-password-1", "argon2", {"Admin"}, true},
        {"editor@example.com",
         "editor-password-1",
         "bcrypt",
         {"editor", "viewer"},
         true},
        {"Viewer@Example.com", "viewer-password-1", "argon2", {"viewer"}, true},
        // "café-ﬁnal-2026": FST hashed its NFKD form, as its forms do.
        {"unicode@example.com",
         "caf\xC3\xA9-\xEF\xAC\x81nal-2026",
         "bcrypt",
         {"viewer"},
         true},
        {"inactive@example.com", "inactive-password-1", "bcrypt", {}, false},
        {"legacy@example.com",
         "legacy-password-1",
         "pbkdf2-sha512",
         {"editor"},
         true},
        {"crypt@example.com", "crypt-password-1", "sha512-crypt", {}, true},
        {"plain@example.com", "plain-password-1", "plaintext", {}, true},
    };
    return users;
}

std::string fst_fixture_path()
{
    return MFO_SOURCE_DIR "/tests/fixtures/fst_v3.sqlite";
}

std::string generate_fst_fixture(const TempDir& dir)
{
    const std::string python = "/usr/bin/python3";
    const std::string probe = python +
                              " -c 'import flask_security, flask_sqlalchemy'"
                              " >/dev/null 2>&1";
    if (!std::filesystem::exists(python) || std::system(probe.c_str()) != 0) {
        return {};
    }
    const std::string command =
        python + " '" MFO_SOURCE_DIR "/tests/fixtures/make_fst_db.py' '" +
        dir.path().string() + "' >/dev/null";
    // With the packages present, a failing generator is a failing test.
    if (std::system(command.c_str()) != 0) {
        throw std::runtime_error("tests/fixtures/make_fst_db.py failed");
    }
    return dir.file("fst_v3.sqlite");
}

} // namespace mfo::test
