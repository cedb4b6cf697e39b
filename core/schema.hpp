#pragma once

#include <span>
#include <string_view>

namespace mfo::core {

// The SQL scripts that build the schema, oldest first: a database at
// schema version N has had the first N applied, and PRAGMA user_version
// holds N. Scripts are only ever appended, never edited.
std::span<const std::string_view> schema_migrations();

} // namespace mfo::core
