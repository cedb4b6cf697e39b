#include "core/secret.hpp"

#include <sodium.h>

namespace mfo::core {

SecretString::SecretString(SecretString&& other) noexcept
    : m_value(other.m_value)
{
    // Copy then wipe rather than move: a moved-from std::string may keep
    // its buffer (small-string storage), which would leave the secret behind.
    other.wipe();
}

SecretString& SecretString::operator=(const SecretString& other)
{
    if (this != &other) {
        wipe();
        m_value = other.m_value;
    }
    return *this;
}

SecretString& SecretString::operator=(SecretString&& other) noexcept
{
    if (this != &other) {
        wipe();
        m_value = other.m_value;
        other.wipe();
    }
    return *this;
}

void SecretString::wipe()
{
    // Wipe the whole capacity: earlier, longer contents may linger past size().
    m_value.resize(m_value.capacity());
    sodium_memzero(m_value.data(), m_value.size());
    m_value.clear();
}

} // namespace mfo::core
