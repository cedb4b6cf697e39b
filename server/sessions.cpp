#include "server/sessions.hpp"

#include "core/crypto.hpp"
#include "server/csrf.hpp"

namespace mfo::server {
namespace {

// Enough for every active visitor of a small site; past it the cache
// starts over rather than tracking age.
constexpr std::size_t k_max_cached_sessions = 4096;
constexpr std::size_t k_token_bytes = 32;

std::optional<ActiveSession> load_session(core::Store& store,
                                          const std::string& id_hash)
{
    std::optional<core::Session> session = store.find_session(id_hash);
    if (!session) {
        return std::nullopt;
    }
    std::optional<core::User> user = store.find_user(session->user_id);
    if (!user) {
        return ActiveSession{*session, core::User{}};
    }
    return ActiveSession{*session, *user};
}

bool is_live(const ActiveSession& active, const SessionPolicy& policy,
             core::Timestamp now)
{
    const core::Session& session = active.session;
    const core::User& user = active.user;
    // The uniquifier changes with `mfo user passwd`, reset-access and a
    // password change, so comparing it ends older sessions at once.
    if (user.id != session.user_id || !user.is_active ||
        user.uniquifier != session.uniquifier) {
        return false;
    }
    // "Remember me" is meant to outlast idle time: only its own lifetime
    // bounds a persistent session.
    if (session.is_persistent) {
        return now - session.created_at <= policy.remember_lifetime;
    }
    return now - session.last_seen_at <= policy.idle_timeout &&
           now - session.created_at <= policy.lifetime;
}

std::string cookie_attributes(const SessionPolicy& policy)
{
    std::string attributes = "; Path=/; HttpOnly; SameSite=Lax";
    if (policy.is_secure) {
        attributes += "; Secure";
    }
    return attributes;
}

} // namespace

SessionPolicy SessionPolicy::from_config(const core::Config& config)
{
    return SessionPolicy{config.session_idle_timeout, config.session_lifetime,
                         config.remember_lifetime, config.secure_cookies};
}

void SessionCache::sync(std::int64_t data_version)
{
    if (data_version != m_data_version) {
        m_entries.clear();
        m_data_version = data_version;
    }
}

std::optional<ActiveSession>
SessionCache::find(const std::string& id_hash) const
{
    const auto found = m_entries.find(id_hash);
    if (found == m_entries.end()) {
        return std::nullopt;
    }
    return found->second;
}

void SessionCache::put(const ActiveSession& active)
{
    if (m_entries.size() >= k_max_cached_sessions) {
        m_entries.clear();
    }
    m_entries.insert_or_assign(active.session.id_hash, active);
}

std::optional<ActiveSession>
resolve_session(core::Store& store, SessionCache& cache, std::string_view token,
                const SessionPolicy& policy, core::Timestamp now)
{
    const std::string id_hash = core::sha256(token);
    std::optional<ActiveSession> active = cache.find(id_hash);
    if (!active) {
        active = load_session(store, id_hash);
        if (!active) {
            return std::nullopt;
        }
        cache.put(*active);
    }

    if (!is_live(*active, policy, now)) {
        end_session(store, cache, id_hash);
        return std::nullopt;
    }

    if (now - active->session.last_seen_at >= k_touch_interval) {
        store.touch_session(id_hash, now);
        active->session.last_seen_at = now;
        cache.put(*active);
    }
    return active;
}

StartedSession start_session(core::Store& store, SessionCache& cache,
                             const core::User& user, bool is_persistent,
                             core::Timestamp now)
{
    StartedSession started;
    started.token = core::random_token(k_token_bytes);
    core::Session& session = started.active.session;
    session.id_hash = core::sha256(started.token);
    session.user_id = user.id;
    session.uniquifier = user.uniquifier;
    session.csrf_token = core::random_token(k_token_bytes);
    session.is_persistent = is_persistent;
    session.created_at = now;
    session.last_seen_at = now;
    started.active.user = user;

    store.create_session(session);
    cache.clear();
    return started;
}

void end_session(core::Store& store, SessionCache& cache,
                 std::string_view id_hash)
{
    store.delete_session(id_hash);
    cache.clear();
}

std::string session_cookie(std::string_view token, bool is_persistent,
                           const SessionPolicy& policy)
{
    std::string cookie = std::string(k_session_cookie) + "=" +
                         std::string(token) + cookie_attributes(policy);
    if (is_persistent) {
        cookie += "; Max-Age=" + std::to_string(policy.remember_lifetime);
    }
    return cookie;
}

std::string expired_session_cookie(const SessionPolicy& policy)
{
    return std::string(k_session_cookie) + "=" + cookie_attributes(policy) +
           "; Max-Age=0";
}

std::string csrf_cookie(std::string_view value, const SessionPolicy& policy)
{
    return std::string(k_csrf_cookie) + "=" + std::string(value) +
           cookie_attributes(policy);
}

} // namespace mfo::server
