#include "server/http_util.hpp"

#include <catch2/catch.hpp>

using namespace mfo::server;

TEST_CASE("is_local_path accepts paths on this site", "[server]")
{
    CHECK(is_local_path("/"));
    CHECK(is_local_path("/account"));
    CHECK(is_local_path("/admin?after=50"));
}

TEST_CASE("is_local_path refuses other sites and header tricks", "[server]")
{
    const char* hostile[] = {
        "",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/ok\r\nSet-Cookie: x=1",
        "/a\\b",
        "/tab\there",
    };
    for (const char* next : hostile) {
        INFO(next);
        CHECK_FALSE(is_local_path(next));
    }
    CHECK_FALSE(is_local_path("/" + std::string(3000, 'a')));
}

TEST_CASE("parse_form decodes fields in order and keeps repeats", "[server]")
{
    const FormFields fields = parse_form("a=1+2&b=%2Fx%3D&a=3&c&=d&e=%zz");
    REQUIRE(fields.size() == 6);
    CHECK(form_value(fields, "a") == "1 2");
    CHECK(form_value(fields, "b") == "/x=");
    CHECK(form_value(fields, "c").empty());
    CHECK(form_value(fields, "e") == "%zz");
    CHECK(form_value(fields, "missing").empty());
}

TEST_CASE("url_encode leaves only unreserved characters", "[server]")
{
    CHECK(url_encode("/admin?after=5") == "%2Fadmin%3Fafter%3D5");
    CHECK(url_encode("a-b_c.d~e") == "a-b_c.d~e");
    CHECK(url_decode(url_encode("ü /\r\n"), false) == "ü /\r\n");
}

TEST_CASE("find_cookie returns only well-formed token values", "[server]")
{
    const std::string token(43, 'A');
    CHECK(find_cookie("a=1; mfo_session=" + token, "mfo_session") == token);
    CHECK_FALSE(find_cookie("mfo_session=short", "mfo_session"));
    CHECK_FALSE(find_cookie("mfo_session=" + token + "!", "mfo_session"));
    CHECK_FALSE(find_cookie("xmfo_session=" + token, "mfo_session"));
    CHECK(find_cookie("mfo_session=bad; mfo_session=" + token, "mfo_session") ==
          token);
}

TEST_CASE("client_address trusts X-Forwarded-For only from the proxy",
          "[server]")
{
    CHECK(client_address("10.0.0.9", "1.2.3.4", "") == "10.0.0.9");
    CHECK(client_address("10.0.0.9", "1.2.3.4", "10.0.0.1") == "10.0.0.9");
    CHECK(client_address("10.0.0.1", "6.6.6.6, 1.2.3.4", "10.0.0.1") ==
          "1.2.3.4");
    CHECK(client_address("10.0.0.1", "<script>", "10.0.0.1") == "10.0.0.1");
}

TEST_CASE("code_point_count counts characters, not bytes", "[server]")
{
    CHECK(code_point_count("abc") == 3);
    CHECK(code_point_count("äöü") == 3);
    CHECK(code_point_count("") == 0);
}
