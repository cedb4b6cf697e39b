#include "server/hash_gate.hpp"

#include <algorithm>
#include <pthread.h>
#include <sched.h>

namespace mfo::server {
namespace {

// SCHED_IDLE, not just a high nice value: Linux lets a waking normal
// thread preempt a SCHED_IDLE one at once, while a nice 19 or SCHED_BATCH
// hash keeps the core until the next tick (4 ms), and page requests
// queued behind those ticks reached a p99 of 650 ms in a login storm
// (measured; 12-37 ms with SCHED_IDLE). A hash still gets a small share
// of a busy core, so logins slow down under page load but do not stop.
// Unprivileged threads may always lower their own priority; if even that
// is refused the hash runs at normal priority.
void lower_priority()
{
    sched_param param{};
    param.sched_priority = 0;
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
}

} // namespace

HashGate::HashGate(int threads, int max_waiting)
    : m_max_threads(static_cast<std::size_t>(std::max(threads, 1))),
      m_max_waiting(static_cast<std::size_t>(std::max(max_waiting, 1)))
{
}

HashGate::~HashGate()
{
    {
        const std::lock_guard lock(m_mutex);
        m_is_stopping = true;
    }
    m_queued.notify_all();
    for (std::thread& thread : m_threads) {
        thread.join();
    }
}

bool HashGate::run(const std::function<void()>& job)
{
    Job queued;
    queued.work = &job;
    std::unique_lock lock(m_mutex);
    if (m_jobs.size() >= m_max_waiting) {
        return false;
    }
    m_jobs.push_back(&queued);
    // Threads start with the first jobs, so an idle server has none.
    if (m_idle_threads == 0 && m_threads.size() < m_max_threads) {
        m_threads.emplace_back([this] { serve(); });
    } else {
        m_queued.notify_one();
    }
    m_finished.wait(lock, [&queued] { return queued.is_done; });
    if (queued.error) {
        std::rethrow_exception(queued.error);
    }
    return true;
}

std::size_t HashGate::waiting()
{
    const std::lock_guard lock(m_mutex);
    return m_jobs.size();
}

void HashGate::serve()
{
    lower_priority();
    std::unique_lock lock(m_mutex);
    for (;;) {
        ++m_idle_threads;
        m_queued.wait(lock,
                      [this] { return m_is_stopping || !m_jobs.empty(); });
        --m_idle_threads;
        if (m_jobs.empty()) {
            return;
        }
        Job* job = m_jobs.front();
        m_jobs.pop_front();
        lock.unlock();
        try {
            (*job->work)();
        } catch (...) {
            job->error = std::current_exception();
        }
        lock.lock();
        job->is_done = true;
        m_finished.notify_all();
    }
}

} // namespace mfo::server
