#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/password.hpp"

#include <catch2/catch.hpp>

using namespace mfo::core;

namespace {

PasswordHasher cheap_hasher(std::string pepper = {})
{
    return PasswordHasher(k_minimum_cost, std::move(pepper));
}

} // namespace

TEST_CASE("a password hash is an argon2id string that verifies", "[core]")
{
    const PasswordHasher hasher = cheap_hasher();
    const PasswordHash stored = hasher.hash("correct horse");

    CHECK(stored.hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
    CHECK(stored.scheme == k_scheme_argon2id);
    CHECK(hasher.verify("correct horse", stored).is_valid);
    CHECK_FALSE(hasher.verify("correct horsE", stored).is_valid);
}

TEST_CASE("two hashes of one password differ by their salt", "[core]")
{
    const PasswordHasher hasher = cheap_hasher();

    CHECK(hasher.hash("same password").hash !=
          hasher.hash("same password").hash);
}

TEST_CASE("a peppered hash needs the same pepper to verify", "[core]")
{
    const PasswordHasher peppered = cheap_hasher("pepper-one");
    const PasswordHash stored = peppered.hash("festival-2026");

    CHECK(stored.scheme == k_scheme_argon2id_hmac);
    CHECK(peppered.verify("festival-2026", stored).is_valid);
    CHECK_FALSE(
        cheap_hasher("pepper-two").verify("festival-2026", stored).is_valid);
    CHECK_FALSE(cheap_hasher().verify("festival-2026", stored).is_valid);
}

TEST_CASE("a peppered hash is not the argon2id of the bare password", "[core]")
{
    const PasswordHash stored = cheap_hasher("pepper").hash("festival-2026");
    const PasswordHash relabelled{stored.hash, std::string(k_scheme_argon2id)};

    CHECK_FALSE(cheap_hasher().verify("festival-2026", relabelled).is_valid);
}

TEST_CASE("a hash made at a lower cost asks to be rehashed", "[core]")
{
    const PasswordHash old_hash = cheap_hasher().hash("festival-2026");
    const PasswordHasher stronger(HashCost{3, 19456}, "");

    const VerifyResult result = stronger.verify("festival-2026", old_hash);

    CHECK(result.is_valid);
    CHECK(result.needs_rehash);
    CHECK_FALSE(cheap_hasher().verify("festival-2026", old_hash).needs_rehash);
}

TEST_CASE("an unpeppered hash asks to be rehashed once a pepper is set",
          "[core]")
{
    const PasswordHash old_hash = cheap_hasher().hash("festival-2026");

    const VerifyResult result =
        cheap_hasher("new-pepper").verify("festival-2026", old_hash);

    CHECK(result.is_valid);
    CHECK(result.needs_rehash);
}

TEST_CASE("passwords are compared in their NFKC form", "[core]")
{
    const PasswordHasher hasher = cheap_hasher();
    // U+FB01 (the "fi" ligature) is NFKC-equal to "fi"; U+00E9 to e + U+0301.
    const PasswordHash stored = hasher.hash("\xEF\xAC\x81nal-caf\xC3\xA9");

    CHECK(hasher.verify("final-cafe\xCC\x81", stored).is_valid);
}

TEST_CASE("a cost below the OWASP minimum is refused", "[core]")
{
    CHECK_THROWS_AS(PasswordHasher(HashCost{1, 19456}, ""), Error);
    CHECK_THROWS_AS(PasswordHasher(HashCost{2, 8192}, ""), Error);
}

TEST_CASE("a stored hash of an unknown or empty scheme never verifies",
          "[core]")
{
    const PasswordHasher hasher = cheap_hasher();
    const PasswordHash stored = hasher.hash("festival-2026");

    CHECK_FALSE(
        hasher.verify("festival-2026", {stored.hash, "plaintext"}).is_valid);
    CHECK_FALSE(hasher.verify("festival-2026", {"", "none"}).is_valid);
    CHECK_FALSE(hasher.verify("x", {"festival", "argon2id"}).is_valid);
}

TEST_CASE("the dummy verification never succeeds", "[core]")
{
    CHECK_FALSE(cheap_hasher().verify_dummy("anything at all"));
}

TEST_CASE("password policy checks length, text and the email", "[core]")
{
    const PasswordPolicy policy{8, 16};

    CHECK_FALSE(password_problem("long enough", "a@b.org", policy));
    CHECK(password_problem("short", "a@b.org", policy));
    CHECK(password_problem("this one is far too long", "a@b.org", policy));
    CHECK(password_problem("Alice@Example.org", "alice@example.org",
                           PasswordPolicy{8, 64}));
    CHECK(password_problem(std::string("nul\0inside", 10), "", policy));
    CHECK(password_problem("bad\xFFutf8xx", "", policy));
    // Length counts characters, not bytes: eight two-byte letters pass.
    CHECK_FALSE(password_problem("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                                 "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
                                 "", policy));
}

TEST_CASE("the FST keyed password is Base64 of HMAC-SHA-512 over NFKD",
          "[core]")
{
    // Python: base64.b64encode(hmac.new(b"salt", b"password",
    //                                   hashlib.sha512).digest())
    const SecretString keyed = fst_keyed_password("password", "salt");

    CHECK(keyed.size() == 88);
    CHECK(keyed.view() ==
          "HI5DJGJkjYJa3kmD2kscnMIxGA090Od7DP4LKMXi8rOao62r/NXh/paLnoFQBc9n"
          "SZwwF39MAZnjkGTOqlre+g==");
}

TEST_CASE("random tokens are URL-safe and differ", "[core]")
{
    const std::string first = random_token(32);

    CHECK(first.size() == 43);
    CHECK(first.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "abcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    CHECK(first != random_token(32));
}

TEST_CASE("constant time comparison matches equality", "[core]")
{
    CHECK(constant_time_equal("token", "token"));
    CHECK_FALSE(constant_time_equal("token", "tokem"));
    CHECK_FALSE(constant_time_equal("token", "token2"));
    CHECK(constant_time_equal("", ""));
}

TEST_CASE("an HMAC token depends on key and message", "[core]")
{
    const std::string token = hmac_sha256_token("key", "message");

    CHECK(token == hmac_sha256_token("key", "message"));
    CHECK(token != hmac_sha256_token("key2", "message"));
    CHECK(token != hmac_sha256_token("key", "message2"));
}
