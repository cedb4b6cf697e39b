#pragma once

#include "core/store.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mfo::cli {

// JSON string literal with every control character escaped.
std::string json_string(std::string_view text);

// The documented JSON shapes of `--json` output (see docs/cli-json.md).
void write_user_json(std::ostream& out, const core::User& user);
void write_role_json(std::ostream& out, const core::Role& role);

// Text for a terminal: control characters from stored data are escaped so a
// hostile email cannot move the cursor or change the title.
std::string printable(std::string_view text);

std::string optional_time(const std::optional<core::Timestamp>& time);

} // namespace mfo::cli
