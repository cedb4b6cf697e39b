#include "server/render.hpp"

#include "core/error.hpp"
#include "server/embedded_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace mfo::server {
namespace {

constexpr std::string_view k_template_prefix = "templates/";
constexpr std::string_view k_template_suffix = ".mustache";

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
        throw core::Error("template '" + path.string() + "': cannot read it");
    }
    return text.str();
}

// "templates/login.mustache" -> "login"; "" for other embedded files.
std::string template_name(std::string_view file_name)
{
    if (!file_name.starts_with(k_template_prefix) ||
        !file_name.ends_with(k_template_suffix)) {
        return {};
    }
    file_name.remove_prefix(k_template_prefix.size());
    file_name.remove_suffix(k_template_suffix.size());
    return std::string(file_name);
}

void require_folder(const std::string& folder)
{
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error)) {
        throw core::Error("templates folder '" + folder +
                              "' does not exist or is not a folder",
                          core::Error::Kind::invalid);
    }
}

kainjow::mustache::mustache parse(const std::string& name,
                                  const std::string& text)
{
    kainjow::mustache::mustache parsed(text);
    if (!parsed.is_valid()) {
        throw core::Error("template '" + name + "': " + parsed.error_message(),
                          core::Error::Kind::invalid);
    }
    return parsed;
}

} // namespace

Templates Templates::load(const std::string& override_dir)
{
    if (!override_dir.empty()) {
        require_folder(override_dir);
    }
    Templates templates;
    for (const EmbeddedFile& file : embedded_files()) {
        const std::string name = template_name(file.name);
        if (name.empty()) {
            continue;
        }
        std::string text(file.content);
        const std::filesystem::path replacement =
            std::filesystem::path(override_dir) /
            (name + std::string(k_template_suffix));
        std::error_code error;
        if (!override_dir.empty() &&
            std::filesystem::is_regular_file(replacement, error)) {
            text = read_file(replacement);
            ++templates.m_override_count;
        }
        templates.m_pages.emplace(name, parse(name, text));
    }
    templates.find("layout");
    return templates;
}

kainjow::mustache::mustache& Templates::find(std::string_view name)
{
    const auto found = m_pages.find(name);
    if (found == m_pages.end()) {
        throw core::Error("template '" + std::string(name) + "' is missing");
    }
    return found->second;
}

std::string Templates::render_page(std::string_view name,
                                   kainjow::mustache::data data)
{
    // The page is rendered first with every value escaped; the layout
    // then inserts that finished HTML unescaped as {{{content}}}.
    data.set("content", find(name).render(data));
    return find("layout").render(data);
}

} // namespace mfo::server
