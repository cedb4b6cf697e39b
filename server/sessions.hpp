#pragma once

#include "core/config.hpp"
#include "core/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mfo::server {

inline constexpr std::string_view k_session_cookie = "mfo_session";

// last_seen_at is written at most this often, not on every request.
inline constexpr core::Timestamp k_touch_interval = 60;

struct SessionPolicy {
    core::Timestamp idle_timeout = 7200;
    core::Timestamp lifetime = 43200;
    core::Timestamp remember_lifetime = 2592000;
    bool is_secure = false; // adds Secure to every cookie

    static SessionPolicy from_config(const core::Config& config);
};

// A logged-in visitor: the session row and its user, checked this request.
struct ActiveSession {
    core::Session session;
    core::User user;
};

// Sessions and users already loaded by one Store connection. It is valid
// only while no other connection (another worker, the CLI) has committed:
// sync() compares SQLite's data_version and forgets everything when it
// moved. Writes made through the same connection must clear() it.
class SessionCache {
public:
    void sync(std::int64_t data_version);
    std::optional<ActiveSession> find(const std::string& id_hash) const;
    void put(const ActiveSession& active);
    void clear() { m_entries.clear(); }

private:
    std::int64_t m_data_version = -1;
    std::unordered_map<std::string, ActiveSession> m_entries;
};

// The live session for the cookie value `token`, or nothing; `cache` must
// have been synced to the store's data_version this request. A session
// past its lifetime (idle timeout and session_lifetime; remember_lifetime
// alone for "remember me"), or whose user is gone, inactive or has a new
// uniquifier, is deleted. Refreshes last_seen_at
// when it is older than k_touch_interval.
std::optional<ActiveSession>
resolve_session(core::Store& store, SessionCache& cache, std::string_view token,
                const SessionPolicy& policy, core::Timestamp now);

struct StartedSession {
    std::string token; // the cookie value; only its hash is stored
    ActiveSession active;
};

// Creates a new session with a fresh random id and CSRF token.
StartedSession start_session(core::Store& store, SessionCache& cache,
                             const core::User& user, bool is_persistent,
                             core::Timestamp now);

void end_session(core::Store& store, SessionCache& cache,
                 std::string_view id_hash);

// Set-Cookie values. Only a persistent ("remember me") session cookie has
// a Max-Age; the others end with the browser.
std::string session_cookie(std::string_view token, bool is_persistent,
                           const SessionPolicy& policy);
std::string expired_session_cookie(const SessionPolicy& policy);
std::string csrf_cookie(std::string_view value, const SessionPolicy& policy);

} // namespace mfo::server
