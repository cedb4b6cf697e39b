#include "server/embedded_files.hpp"

#include <algorithm>

namespace mfo::server {

std::optional<std::string_view> embedded_file(std::string_view name)
{
    const std::vector<EmbeddedFile>& files = embedded_files();
    const auto found =
        std::lower_bound(files.begin(), files.end(), name,
                         [](const EmbeddedFile& file, std::string_view wanted) {
                             return file.name < wanted;
                         });
    if (found == files.end() || found->name != name) {
        return std::nullopt;
    }
    return found->content;
}

} // namespace mfo::server
