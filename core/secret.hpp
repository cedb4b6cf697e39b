#pragma once

#include <string>
#include <string_view>

namespace mfo::core {

// A string holding a password or key that is wiped when it goes away.
// Copies are wiped too; moves leave the source empty and wiped.
class SecretString {
public:
    SecretString() = default;
    explicit SecretString(std::string value) : m_value(std::move(value)) {}
    SecretString(const SecretString& other) : m_value(other.m_value) {}
    SecretString(SecretString&& other) noexcept;
    SecretString& operator=(const SecretString& other);
    SecretString& operator=(SecretString&& other) noexcept;
    ~SecretString() { wipe(); }

    std::string_view view() const { return m_value; }
    const std::string& str() const { return m_value; }
    bool empty() const { return m_value.empty(); }
    size_t size() const { return m_value.size(); }
    void wipe();

private:
    std::string m_value;
};

} // namespace mfo::core
