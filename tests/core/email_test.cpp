#include "core/email.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace mfo::core;

TEST_CASE("email problem accepts ordinary and international addresses",
          "[core]")
{
    CHECK_FALSE(email_problem("alice@example.org"));
    CHECK_FALSE(email_problem("a@b"));
    CHECK_FALSE(email_problem("first.last+tag@sub.example.co.uk"));
    CHECK_FALSE(email_problem("jürgen@müller.de"));
    CHECK_FALSE(email_problem("用户@例子.广告"));
}

TEST_CASE("email problem refuses a bad length", "[core]")
{
    CHECK(email_problem("") == "email must be 3 to 254 bytes long");
    CHECK(email_problem("a@") == "email must be 3 to 254 bytes long");
    const std::string longest =
        std::string(64, 'a') + "@" + std::string(185, 'b') + ".org";
    REQUIRE(longest.size() == 254);
    CHECK_FALSE(email_problem(longest));
    CHECK(email_problem(longest + "x"));
}

TEST_CASE("email problem requires exactly one '@'", "[core]")
{
    CHECK(email_problem("alice.example.org") ==
          "email must contain exactly one '@'");
    CHECK(email_problem("alice@bob@example.org") ==
          "email must contain exactly one '@'");
}

TEST_CASE("email problem refuses an empty or long local part", "[core]")
{
    CHECK(email_problem("@example.org") == "email has nothing before the '@'");
    CHECK_FALSE(email_problem(std::string(64, 'a') + "@example.org"));
    CHECK(email_problem(std::string(65, 'a') + "@example.org") ==
          "email must have at most 64 bytes before the '@'");
}

TEST_CASE("email problem refuses a malformed domain", "[core]")
{
    CHECK(email_problem("alice@") == "email has no domain after the '@'");
    CHECK(email_problem("alice@.example.org") ==
          "email domain must not start or end with a dot");
    CHECK(email_problem("alice@example.org.") ==
          "email domain must not start or end with a dot");
    CHECK(email_problem("alice@example..org") ==
          "email domain must not contain two dots in a row");
}

TEST_CASE("email problem refuses spaces and control characters", "[core]")
{
    const std::string reason =
        "email must not contain spaces or control characters";
    CHECK(email_problem("ali ce@example.org") == reason);
    CHECK(email_problem("alice@example.org\n") == reason);
    CHECK(email_problem(std::string("ali\0ce@example.org", 18)) == reason);
    CHECK(email_problem("ali\x7f"
                        "ce@example.org") == reason);
    CHECK(email_problem("ali\u0085ce@example.org") == reason); // NEL
    CHECK(email_problem("ali\u00a0ce@example.org") == reason); // NBSP
    CHECK(email_problem("ali\u202ece@example.org") == reason); // RLO
}

TEST_CASE("email problem refuses invalid UTF-8", "[core]")
{
    CHECK(email_problem("ali\xff"
                        "ce@example.org") == "email is not valid UTF-8");
    CHECK(email_problem("alice@ex\xc3") == "email is not valid UTF-8");
}

TEST_CASE("email problem never echoes the email", "[core]")
{
    const std::optional<std::string> reason =
        email_problem("secret\x1b[31m@example..org");
    REQUIRE(reason);
    CHECK(reason->find("secret") == std::string::npos);
}

TEST_CASE("email key ignores letter case", "[core]")
{
    CHECK(email_key("Alice@X.org") == email_key("alice@x.ORG"));
    CHECK(email_key("Alice@X.org") == "alice@x.org");
    CHECK(email_key("JÜRGEN@MÜLLER.DE") == "jürgen@müller.de");
}

TEST_CASE("email key folds compatibility forms and composition", "[core]")
{
    // Fullwidth letters, and e followed by a combining acute accent.
    CHECK(email_key("\uff41lice@example.org") == "alice@example.org");
    CHECK(email_key("re\u0301my@example.org") == "r\u00e9my@example.org");
    CHECK(email_key("STRA\u00dfE@example.org") == "strasse@example.org");
}
