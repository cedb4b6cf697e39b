#pragma once

#include <stdexcept>
#include <string>

namespace mfo::core {

// A failure the caller cannot fix locally. The message is one line, names
// the object and the reason, and never holds a secret.
class Error : public std::runtime_error {
public:
    enum class Kind {
        failed,          // anything else at run time
        not_found,       // a named user or role does not exist
        conflict,        // a unique name or email is already taken
        invalid,         // a value was rejected before any state changed
        not_initialized, // the database has no mfo schema yet
        unavailable,     // storage busy, read-only or full: retry later
    };

    explicit Error(const std::string& message, Kind kind = Kind::failed)
        : std::runtime_error(message), m_kind(kind)
    {
    }

    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

} // namespace mfo::core
