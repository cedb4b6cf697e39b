#pragma once

#include <atomic>
#include <semaphore>

namespace mfo::server {

// Lets at most `slots` password hashes run at once (one per core), so a
// flood of logins queues instead of taking memory. At most `max_waiting`
// requests may queue; the rest are refused at once, so that waiting logins
// never hold every worker thread and page requests keep being served.
class HashGate {
public:
    HashGate(int slots, int max_waiting);

    // Holds a slot while it lives; check is_admitted() first.
    class Pass {
    public:
        explicit Pass(HashGate& gate);
        Pass(const Pass&) = delete;
        Pass& operator=(const Pass&) = delete;
        ~Pass();
        bool is_admitted() const { return m_is_admitted; }

    private:
        HashGate& m_gate;
        bool m_is_admitted = false;
    };

private:
    static constexpr std::ptrdiff_t k_max_slots = 1024;

    std::counting_semaphore<k_max_slots> m_slots;
    std::atomic<int> m_waiting{0};
    int m_max_waiting;
};

} // namespace mfo::server
