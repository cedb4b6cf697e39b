#pragma once

#include <kainjow/mustache.hpp>
#include <map>
#include <string>
#include <string_view>

namespace mfo::server {

// Every page template by name ("login"), parsed once. The built-in ones
// come from templates/*.mustache compiled into the binary; a file with the
// same name in the override folder replaces one, the layout included.
// Override files are read when the server starts, so editing one takes a
// restart, not a rebuild.
class Templates {
public:
    // Throws core::Error naming the folder or template that cannot be read
    // or parsed, so a broken override stops the start, not a request.
    static Templates load(const std::string& override_dir);

    // Renders page `name` with `data`, then the layout around it: the
    // layout gets the same data plus `content`, the rendered page. Not
    // const: each worker thread keeps its own copy (see WorkerPool).
    std::string render_page(std::string_view name,
                            kainjow::mustache::data data);

    // Which templates came from the override folder, for the start-up log.
    int override_count() const { return m_override_count; }

private:
    kainjow::mustache::mustache& find(std::string_view name);

    std::map<std::string, kainjow::mustache::mustache, std::less<>> m_pages;
    int m_override_count = 0;
};

} // namespace mfo::server
