#pragma once

#include <filesystem>
#include <string>

namespace mfo::test {

// A fresh directory under the system temp folder, removed with its contents
// when the object goes away. Every test makes its own.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    // path() / name, as a string.
    std::string file(const std::string& name) const;
    // Writes `text` to path() / name and returns that path.
    std::string write(const std::string& name, const std::string& text) const;

private:
    std::filesystem::path m_path;
};

} // namespace mfo::test
