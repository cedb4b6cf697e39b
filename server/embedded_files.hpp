#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace mfo::server {

// A file from templates/ or static/ compiled into the binary.
struct EmbeddedFile {
    std::string_view name;    // relative path: "templates/layout.mustache"
    std::string_view content; // the exact bytes of the file
};

// Every embedded file, sorted by name. Generated at build time by
// server/embed_files.cmake.
const std::vector<EmbeddedFile>& embedded_files();

// The content of one embedded file, or nothing.
std::optional<std::string_view> embedded_file(std::string_view name);

} // namespace mfo::server
