#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
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
class HashGate {
public:
    HashGate(int threads, int max_waiting);
    ~HashGate();
    HashGate(const HashGate&) = delete;
    HashGate& operator=(const HashGate&) = delete;

    // Runs `job` on a hashing thread and waits for it to finish; an
    // exception it throws is rethrown here. Returns false, without running
    // it, when max_waiting jobs are already queued.
    bool run(const std::function<void()>& job);

    // Jobs queued and not yet started.
    std::size_t waiting();

private:
    struct Job {
        const std::function<void()>* work = nullptr;
        std::exception_ptr error;
        bool is_done = false;
    };

    void serve();

    std::size_t m_max_threads;
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
