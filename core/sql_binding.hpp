#pragma once

#include <SQLiteCpp/Statement.h>
#include <cstdint>
#include <optional>
#include <string>

namespace mfo::core {

// Binds the value, or SQL NULL when there is none.
inline void bind_optional(SQLite::Statement& statement, int index,
                          const std::optional<std::string>& text)
{
    if (text) {
        statement.bind(index, *text);
    } else {
        statement.bind(index);
    }
}

inline void bind_optional(SQLite::Statement& statement, int index,
                          const std::optional<std::int64_t>& number)
{
    if (number) {
        statement.bind(index, *number);
    } else {
        statement.bind(index);
    }
}

} // namespace mfo::core
