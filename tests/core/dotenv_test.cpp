#include "core/config.hpp"

#include <catch2/catch.hpp>

using mfo::core::ConfigError;
using mfo::core::DotenvEntry;
using mfo::core::parse_dotenv;

namespace {

std::vector<DotenvEntry> parse(const std::string& text)
{
    return parse_dotenv(text, "app/.env");
}

} // namespace

TEST_CASE("dotenv reads name=value pairs with their line numbers", "[core]")
{
    const auto entries = parse("A=1\n\nB = two words  \n");

    REQUIRE(entries.size() == 2);
    CHECK(entries[0].name == "A");
    CHECK(entries[0].value == "1");
    CHECK(entries[0].line == 1);
    CHECK(entries[1].name == "B");
    CHECK(entries[1].value == "two words");
    CHECK(entries[1].line == 3);
}

TEST_CASE("dotenv skips comment lines", "[core]")
{
    const auto entries = parse("# A=1\n   # B=2\nC=3\n");

    REQUIRE(entries.size() == 1);
    CHECK(entries[0].name == "C");
}

TEST_CASE("dotenv accepts an export prefix", "[core]")
{
    const auto entries = parse("export SECRET_KEY=abc\nexport\tB=2\n");

    REQUIRE(entries.size() == 2);
    CHECK(entries[0].name == "SECRET_KEY");
    CHECK(entries[0].value == "abc");
    CHECK(entries[1].name == "B");
}

TEST_CASE("dotenv removes an inline comment after an unquoted value", "[core]")
{
    const auto entries = parse("A=value # note\nB=no#comment\nC=# kept\n");

    REQUIRE(entries.size() == 3);
    CHECK(entries[0].value == "value");
    CHECK(entries[1].value == "no#comment");
    CHECK(entries[2].value == "# kept");
}

TEST_CASE("dotenv takes single-quoted values literally", "[core]")
{
    const auto entries = parse(R"(A='x\ny $HOME # not a comment')");

    REQUIRE(entries.size() == 1);
    CHECK(entries[0].value == R"(x\ny $HOME # not a comment)");
}

TEST_CASE("dotenv decodes escapes in double-quoted values", "[core]")
{
    const auto entries = parse(R"(A="one\ntwo\t\"q\" back\\slash \q")");

    REQUIRE(entries.size() == 1);
    CHECK(entries[0].value == "one\ntwo\t\"q\" back\\slash \\q");
}

TEST_CASE("dotenv allows a comment after a quoted value", "[core]")
{
    const auto entries = parse("A=\"quoted # text\" # comment\n");

    REQUIRE(entries.size() == 1);
    CHECK(entries[0].value == "quoted # text");
}

TEST_CASE("dotenv lets a quoted value span lines", "[core]")
{
    const auto entries = parse("A=\"first\nsecond\"\nB='x\ny'\nC=3\n");

    REQUIRE(entries.size() == 3);
    CHECK(entries[0].value == "first\nsecond");
    CHECK(entries[1].value == "x\ny");
    CHECK(entries[1].line == 3);
    CHECK(entries[2].line == 5);
}

TEST_CASE("dotenv ignores lines without an equals sign", "[core]")
{
    const auto entries = parse("JUST_A_NAME\nsome words\nA=1\n");

    REQUIRE(entries.size() == 1);
    CHECK(entries[0].name == "A");
    CHECK(entries[0].line == 3);
}

TEST_CASE("dotenv gives an empty value for a bare assignment", "[core]")
{
    const auto entries = parse("A=\nB=''\n");

    REQUIRE(entries.size() == 2);
    CHECK(entries[0].value.empty());
    CHECK(entries[1].value.empty());
}

TEST_CASE("dotenv reads files with Windows line endings", "[core]")
{
    const auto entries = parse("A=1\r\nB=\"2\"\r\n");

    REQUIRE(entries.size() == 2);
    CHECK(entries[0].value == "1");
    CHECK(entries[1].value == "2");
    CHECK(entries[1].line == 2);
}

TEST_CASE("dotenv rejects an unterminated quote naming file and line", "[core]")
{
    CHECK_THROWS_WITH(parse("A=1\nB=\"open\n\nC=3\n"),
                      "app/.env:2: unterminated quoted value for B");
}

TEST_CASE("dotenv rejects text after a closing quote", "[core]")
{
    CHECK_THROWS_AS(parse("A='x' y\n"), ConfigError);
    CHECK_THROWS_WITH(parse("A='x' y\n"), Catch::Contains("app/.env:1"));
}
