#include "server/throttle.hpp"

#include <algorithm>

namespace mfo::server {
namespace {

// Past this many entries, stale ones are swept before adding another.
constexpr std::size_t k_sweep_threshold = 10000;

// No delay up to the free failures, then 1 s, 2 s, 4 s ... capped.
LoginThrottle::Clock::duration delay_after(int failures,
                                           const LoginThrottle::Limits& limits)
{
    const int over = failures - limits.free_failures;
    if (over < 0) {
        return LoginThrottle::Clock::duration::zero();
    }
    const int shift = std::min(over, 20);
    const std::chrono::seconds delay = limits.first_delay * (1 << shift);
    return std::min(delay, limits.cap);
}

} // namespace

LoginThrottle::Limits LoginThrottle::default_account_limits()
{
    return Limits{5, std::chrono::seconds(1), std::chrono::seconds(60),
                  std::chrono::seconds(900)};
}

LoginThrottle::Limits LoginThrottle::default_address_limits()
{
    // Several people may share one address (an office, a festival wifi),
    // so an address gets more free failures but a much longer cap.
    return Limits{10, std::chrono::seconds(1), std::chrono::seconds(900),
                  std::chrono::seconds(3600)};
}

LoginThrottle::LoginThrottle(Limits account_limits, Limits address_limits)
    : m_account_limits(account_limits), m_address_limits(address_limits)
{
}

std::optional<int> LoginThrottle::retry_after(std::string_view account,
                                              std::string_view address,
                                              Clock::time_point now)
{
    const std::lock_guard lock(m_mutex);
    const std::optional<int> account_wait =
        wait_seconds(m_accounts, account, now);
    const std::optional<int> address_wait =
        wait_seconds(m_addresses, address, now);
    if (!account_wait && !address_wait) {
        return std::nullopt;
    }
    return std::max(account_wait.value_or(0), address_wait.value_or(0));
}

void LoginThrottle::failed(std::string_view account, std::string_view address,
                           Clock::time_point now)
{
    const std::lock_guard lock(m_mutex);
    count_failure(m_accounts, account, m_account_limits, now);
    count_failure(m_addresses, address, m_address_limits, now);
}

void LoginThrottle::succeeded(std::string_view account)
{
    const std::lock_guard lock(m_mutex);
    m_accounts.erase(std::string(account));
}

std::optional<int> LoginThrottle::wait_seconds(const Table& table,
                                               std::string_view key,
                                               Clock::time_point now)
{
    const auto found = table.find(std::string(key));
    if (found == table.end() || found->second.blocked_until <= now) {
        return std::nullopt;
    }
    const auto left = found->second.blocked_until - now;
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(left).count();
    return static_cast<int>(std::max<long long>(seconds, 1));
}

void LoginThrottle::count_failure(Table& table, std::string_view key,
                                  const Limits& limits, Clock::time_point now)
{
    if (table.size() >= k_sweep_threshold) {
        forget_stale(table, limits, now);
    }
    Entry& entry = table[std::string(key)];
    if (entry.failures > 0 && now - entry.last_failure > limits.forget_after) {
        entry = Entry{};
    }
    ++entry.failures;
    entry.last_failure = now;
    entry.blocked_until = now + delay_after(entry.failures, limits);
}

void LoginThrottle::forget_stale(Table& table, const Limits& limits,
                                 Clock::time_point now)
{
    std::erase_if(table, [&](const auto& item) {
        return now - item.second.last_failure > limits.forget_after &&
               item.second.blocked_until <= now;
    });
}

} // namespace mfo::server
