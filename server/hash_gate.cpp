#include "server/hash_gate.hpp"

#include <algorithm>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

namespace mfo::server {
namespace {

constexpr int k_hash_nice = 19;

// Hashing threads run as SCHED_BATCH at nice 19: a page request that
// wakes up takes the core at once, and while page requests keep the core
// busy a hash gets about 1.5 % of it (nice 19 against 0), never nothing,
// so logins slow down under load but do not stall, and a hash holding a
// kernel lock (argon2 maps and unmaps 64 MiB) soon gets to release it.
// Unprivileged threads may always lower their own priority; if even that
// is refused the hash runs at normal priority.
void lower_priority()
{
    sched_param param{};
    param.sched_priority = 0;
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
    // On Linux the nice value is per thread: 0 names the calling one.
    setpriority(PRIO_PROCESS, 0, k_hash_nice);
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
