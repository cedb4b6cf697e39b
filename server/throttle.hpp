#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mfo::server {

// Slows down password guessing, in memory. Failures are counted per
// account and per client address; from the free failures on, each failure
// blocks further attempts for a doubling delay, capped. The account cap is
// short so that an attacker cannot lock the real user out for long; the
// address cap is long. Parallel guesses are bounded by the HashGate, not
// here.
// Limitation: the counts live in one process's memory, so a restart
// forgets them and several `mfo serve` processes do not share them.
class LoginThrottle {
public:
    using Clock = std::chrono::steady_clock;

    struct Limits {
        int free_failures = 5;
        std::chrono::seconds first_delay{1};
        std::chrono::seconds cap{60};
        std::chrono::seconds forget_after{900}; // quiet time that resets
    };
    static Limits default_account_limits();
    static Limits default_address_limits();

    LoginThrottle(Limits account_limits = default_account_limits(),
                  Limits address_limits = default_address_limits());

    // Whole seconds to wait before the next attempt for this account or
    // from this address, or nothing when an attempt may go ahead.
    std::optional<int> retry_after(std::string_view account,
                                   std::string_view address,
                                   Clock::time_point now);

    // Counts a failed attempt against both the account and the address.
    void failed(std::string_view account, std::string_view address,
                Clock::time_point now);

    // Forgets the account's failures. The address keeps its count, so a
    // guesser cannot wipe it by logging in to an account of their own.
    void succeeded(std::string_view account);

private:
    struct Entry {
        int failures = 0;
        Clock::time_point last_failure;
        Clock::time_point blocked_until;
    };
    using Table = std::unordered_map<std::string, Entry>;

    static std::optional<int> wait_seconds(const Table& table,
                                           std::string_view key,
                                           Clock::time_point now);
    static void count_failure(Table& table, std::string_view key,
                              const Limits& limits, Clock::time_point now);
    static void forget_stale(Table& table, const Limits& limits,
                             Clock::time_point now);

    Limits m_account_limits;
    Limits m_address_limits;
    std::mutex m_mutex;
    Table m_accounts;
    Table m_addresses;
};

} // namespace mfo::server
