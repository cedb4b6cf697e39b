#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace mfo::test {

TempDir::TempDir()
{
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mfo-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("cannot create a temporary directory");
    }
    m_path = pattern;
}

TempDir::~TempDir()
{
    std::error_code ignored;
    std::filesystem::permissions(m_path, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(m_path, ignored);
}

std::string TempDir::file(const std::string& name) const
{
    return (m_path / name).string();
}

std::string TempDir::write(const std::string& name,
                           const std::string& text) const
{
    const std::string target = file(name);
    std::ofstream out(target, std::ios::binary);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + target);
    }
    return target;
}

} // namespace mfo::test
