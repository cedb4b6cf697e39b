#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mfo::server {

// Runs password hashes on threads of its own, at most one per core, at
// the lowest CPU priority (SCHED_IDLE). A storm of logins then gets
// mostly the CPU that page requests leave, so pages stay fast while
// logins queue, and the hashes' memory is bounded by the thread count.
// At most `max_waiting` jobs may queue; run() refuses the rest at once,
// so waiting logins never hold every connection thread.
//
// SCHED_IDLE alone would let a steady stream of page requests starve the
// hashes completely (logins then time out while pages are fast), so page
// threads call make_room() before each request: while a hash has run
// longer than `patience` and got under a quarter of a core meanwhile,
// they pause in short windows, which leaves the hash the CPU they would
// have used.
class HashGate {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr auto k_default_patience = std::chrono::milliseconds(100);

    HashGate(int threads, int max_waiting,
             Clock::duration patience = k_default_patience);
    ~HashGate();
    HashGate(const HashGate&) = delete;
    HashGate& operator=(const HashGate&) = delete;

    // Runs `job` on a hashing thread and waits for it to finish; an
    // exception it throws is rethrown here. Returns false, without running
    // it, when max_waiting jobs are already queued.
    bool run(const std::function<void()>& job);

    // Jobs queued and not yet started.
    std::size_t waiting();

    // True while a running hash is being starved of CPU (see above).
    bool is_starved() const;

    // For page threads, before each request: while a hash is starved,
    // sleeps to the end of the current pause window (at most 2 ms in every
    // 10). Costs one atomic load when no hash runs.
    void make_room() const;

private:
    // What a hashing thread is doing, readable by page threads without
    // the lock.
    struct Slot {
        std::atomic<std::int64_t> started_ns{0}; // 0: no job running
        std::atomic<std::int64_t> started_cpu_ns{0};
        std::atomic<clockid_t> cpu_clock{};
    };

    struct Job {
        const std::function<void()>* work = nullptr;
        std::exception_ptr error;
        bool is_done = false;
    };

    void serve(Slot& slot);

    std::size_t m_max_threads;
    Clock::duration m_patience;
    std::unique_ptr<Slot[]> m_slots; // one per possible thread
    std::atomic<int> m_running{0};
    std::size_t m_max_waiting;
    std::mutex m_mutex;
    std::condition_variable m_queued;
    std::condition_variable m_finished;
    std::deque<Job*> m_jobs;
    std::size_t m_idle_threads = 0;
    bool m_is_stopping = false;
    std::vector<std::thread> m_threads; // started on demand
};

} // namespace mfo::server
