#include "core/password.hpp"

#include <catch2/catch.hpp>
#include <chrono>

// Found by fuzz/fuzz_stored_hash: a stored hash names its own cost, so an
// imported database could make one login run for hours.

using namespace mfo::core;

namespace {

double seconds_to_verify(const PasswordHasher& hasher,
                         const PasswordHash& stored)
{
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(hasher.verify("password", stored).is_valid);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
}

} // namespace

TEST_CASE("a bcrypt hash naming an enormous cost is refused unverified",
          "[core]")
{
    const PasswordHasher hasher(k_minimum_cost, "", "salt");
    const PasswordHash stored{
        "$2b$31$abcdefghijklmnopqrstuuAbcdefghijklmnopqrstuvwxyz0123",
        std::string(k_scheme_fst_bcrypt)};

    CHECK(seconds_to_verify(hasher, stored) < 1.0);
}

TEST_CASE("an argon2 hash naming far more memory or time than configured "
          "is refused unverified",
          "[core]")
{
    const PasswordHasher hasher(k_minimum_cost, "", "salt");
    const std::string tail = "$c2FsdHNhbHRzYWx0c2FsdA$"
                             "YWJjZGVmYWJjZGVmYWJjZGVmYWJjZGVmYWJjZGVm";

    for (const char* parameters :
         {"m=4194304,t=2,p=1", "m=19456,t=4000000000,p=1"}) {
        INFO(parameters);
        const PasswordHash stored{"$argon2id$v=19$" + std::string(parameters) +
                                      tail,
                                  std::string(k_scheme_argon2id)};
        CHECK(seconds_to_verify(hasher, stored) < 1.0);
    }
}

TEST_CASE("a hash made at a somewhat higher cost than configured still "
          "verifies",
          "[core]")
{
    const PasswordHasher strong(HashCost{4, 65536}, "");
    const PasswordHasher current(k_minimum_cost, "");

    const VerifyResult result =
        current.verify("password-1", strong.hash("password-1"));

    CHECK(result.is_valid);
    CHECK(result.needs_rehash);
}
