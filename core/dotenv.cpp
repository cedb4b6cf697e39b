#include "core/config.hpp"

#include <optional>

// A reader for the .env syntax of python-dotenv, which Flask loads: mfo must
// read the same names and values from an existing Flask .env file.

namespace mfo::core {

namespace {

// python-dotenv's inline whitespace never crosses a line.
bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

bool is_space(char c)
{
    return is_blank(c) || c == '\n';
}

// The character a double-quoted `\x` stands for, or nothing if python-dotenv
// keeps that backslash as it is.
std::optional<char> double_quote_escape(char c)
{
    switch (c) {
    case 'a':
        return '\a';
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'v':
        return '\v';
    case '\\':
    case '\'':
    case '"':
        return c;
    default:
        return std::nullopt;
    }
}

// Single quotes keep everything literally except `\\` and `\'`, as in
// python-dotenv.
std::optional<char> single_quote_escape(char c)
{
    if (c == '\\' || c == '\'') {
        return c;
    }
    return std::nullopt;
}

std::string with_unix_newlines(const std::string& text)
{
    std::string result;
    result.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\r') {
            result += text[i];
        } else if (i + 1 >= text.size() || text[i + 1] != '\n') {
            result += '\n';
        }
    }
    return result;
}

// Walks the text binding by binding. A line that holds no binding (no `=`,
// no name) is skipped, as python-dotenv does; a quoted value that never
// closes, or has text after its closing quote, is an error because guessing
// could hand a wrong secret to the server.
class DotenvReader {
public:
    DotenvReader(const std::string& text, const std::string& file_name)
        : m_text(with_unix_newlines(text)), m_file_name(file_name)
    {
    }

    std::vector<DotenvEntry> read_all()
    {
        std::vector<DotenvEntry> entries;
        for (skip_space(); !at_end(); skip_space()) {
            if (std::optional<DotenvEntry> entry = read_binding()) {
                entries.push_back(std::move(*entry));
            }
        }
        return entries;
    }

private:
    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return at_end() ? '\0' : m_text[m_pos]; }

    char advance()
    {
        const char c = m_text[m_pos++];
        if (c == '\n') {
            ++m_line;
        }
        return c;
    }

    void skip_space()
    {
        while (!at_end() && is_space(peek())) {
            advance();
        }
    }

    void skip_blanks()
    {
        while (!at_end() && is_blank(peek())) {
            advance();
        }
    }

    void skip_rest_of_line()
    {
        while (!at_end() && advance() != '\n') {
        }
    }

    void skip_export()
    {
        const std::string_view rest = std::string_view(m_text).substr(m_pos);
        if (rest.starts_with("export") && rest.size() > 6 &&
            is_blank(rest[6])) {
            m_pos += 6;
            skip_blanks();
        }
    }

    [[noreturn]] void fail(int line, const std::string& reason) const
    {
        throw ConfigError(m_file_name + ":" + std::to_string(line) + ": " +
                          reason);
    }

    std::optional<DotenvEntry> read_binding()
    {
        DotenvEntry entry;
        entry.line = m_line;
        skip_export();
        if (peek() == '#') {
            skip_rest_of_line();
            return std::nullopt;
        }
        entry.name = read_name();
        skip_blanks();
        if (entry.name.empty() || peek() != '=') {
            skip_rest_of_line();
            return std::nullopt;
        }
        advance();
        skip_blanks();
        entry.value = read_value(entry);
        return entry;
    }

    // A name is anything up to `=`, `#` or whitespace, or 'quoted'.
    std::string read_name()
    {
        std::string name;
        if (peek() == '\'') {
            const size_t close = m_text.find('\'', m_pos + 1);
            if (close == std::string::npos ||
                m_text.find('\n', m_pos) < close) {
                return {};
            }
            name = m_text.substr(m_pos + 1, close - m_pos - 1);
            m_pos = close + 1;
            return name;
        }
        while (!at_end() && peek() != '=' && peek() != '#' &&
               !is_space(peek())) {
            name += advance();
        }
        return name;
    }

    std::string read_value(const DotenvEntry& entry)
    {
        if (peek() != '"' && peek() != '\'') {
            return read_unquoted();
        }
        std::string value = read_quoted(entry);
        skip_blanks();
        if (peek() == '#') {
            skip_rest_of_line();
        } else if (!at_end() && advance() != '\n') {
            fail(m_line,
                 "unexpected text after the closing quote of " + entry.name);
        }
        return value;
    }

    // The value runs to the end of the line; ` #` starts a comment, and
    // trailing whitespace goes.
    std::string read_unquoted()
    {
        std::string value;
        while (!at_end() && peek() != '\n') {
            value += advance();
        }
        for (size_t i = 1; i < value.size(); ++i) {
            if (value[i] == '#' && is_blank(value[i - 1])) {
                value.erase(i);
                break;
            }
        }
        while (!value.empty() && is_blank(value.back())) {
            value.pop_back();
        }
        return value;
    }

    std::string read_quoted(const DotenvEntry& entry)
    {
        const char quote = advance();
        const auto escape =
            quote == '"' ? double_quote_escape : single_quote_escape;
        std::string value;
        while (true) {
            if (at_end()) {
                fail(entry.line, "unterminated quoted value for " + entry.name);
            }
            const char c = advance();
            if (c == quote) {
                return value;
            }
            if (c == '\\' && !at_end()) {
                if (std::optional<char> escaped = escape(peek())) {
                    advance();
                    value += *escaped;
                    continue;
                }
            }
            value += c;
        }
    }

    std::string m_text;
    const std::string& m_file_name;
    size_t m_pos = 0;
    int m_line = 1;
};

} // namespace

// Limitation: `${VAR}` references in .env values are not expanded, unlike
// python-dotenv; a value that uses one reaches mfo as written.
std::vector<DotenvEntry> parse_dotenv(const std::string& text,
                                      const std::string& file_name)
{
    return DotenvReader(text, file_name).read_all();
}

} // namespace mfo::core
