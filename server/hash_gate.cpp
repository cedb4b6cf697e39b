#include "server/hash_gate.hpp"

#include <algorithm>
#include <pthread.h>
#include <sched.h>
#include <thread>

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

// While a hash is starved, page threads step aside in the first 2 ms of
// every 10 ms: the core goes idle then and the hash gets it. Measured with
// 32 connections saturating /account on one core: logins went from none
// at all to 2.4/s, at 11 % of the page throughput and /account's p99 from
// 3.0 to 6.0 ms. A pause per request instead (1 ms each) cost more in
// timer wake-ups than it gave the hash.
constexpr std::chrono::nanoseconds k_room_period =
    std::chrono::milliseconds(10);
constexpr std::chrono::nanoseconds k_room_window = std::chrono::milliseconds(2);

// Wall time is read from CLOCK_MONOTONIC (what steady_clock uses) and a
// hashing thread's CPU time from its own clock, through the same call.
std::int64_t nanoseconds(clockid_t clock)
{
    timespec time{};
    if (clock_gettime(clock, &time) != 0) {
        return 0;
    }
    return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 +
           time.tv_nsec;
}

} // namespace

HashGate::HashGate(int threads, int max_waiting, Clock::duration patience)
    : m_max_threads(static_cast<std::size_t>(std::max(threads, 1))),
      m_patience(patience), m_slots(std::make_unique<Slot[]>(m_max_threads)),
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
        Slot& slot = m_slots[m_threads.size()];
        m_threads.emplace_back([this, &slot] { serve(slot); });
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

bool HashGate::is_starved() const
{
    if (m_running.load(std::memory_order_relaxed) == 0) {
        return false;
    }
    const std::int64_t now = nanoseconds(CLOCK_MONOTONIC);
    const std::int64_t patience =
        std::chrono::duration_cast<std::chrono::nanoseconds>(m_patience)
            .count();
    for (std::size_t i = 0; i < m_max_threads; ++i) {
        const Slot& slot = m_slots[i];
        const std::int64_t started =
            slot.started_ns.load(std::memory_order_acquire);
        if (started == 0 || now - started <= patience) {
            continue;
        }
        const std::int64_t cpu =
            nanoseconds(slot.cpu_clock.load()) - slot.started_cpu_ns.load();
        if (cpu * 4 < now - started) {
            return true;
        }
    }
    return false;
}

void HashGate::make_room() const
{
    if (!is_starved()) {
        return;
    }
    const std::int64_t phase =
        nanoseconds(CLOCK_MONOTONIC) % k_room_period.count();
    if (phase < k_room_window.count()) {
        std::this_thread::sleep_for(
            std::chrono::nanoseconds(k_room_window.count() - phase));
    }
}

void HashGate::serve(Slot& slot)
{
    lower_priority();
    clockid_t clock{};
    if (pthread_getcpuclockid(pthread_self(), &clock) == 0) {
        slot.cpu_clock = clock;
    } else {
        // Without a CPU clock the job counts as never starved.
        slot.cpu_clock = CLOCK_MONOTONIC;
    }
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
        slot.started_cpu_ns = nanoseconds(slot.cpu_clock.load());
        slot.started_ns.store(nanoseconds(CLOCK_MONOTONIC),
                              std::memory_order_release);
        m_running.fetch_add(1);
        try {
            (*job->work)();
        } catch (...) {
            job->error = std::current_exception();
        }
        m_running.fetch_sub(1);
        slot.started_ns.store(0, std::memory_order_release);
        lock.lock();
        job->is_done = true;
        m_finished.notify_all();
    }
}

} // namespace mfo::server
