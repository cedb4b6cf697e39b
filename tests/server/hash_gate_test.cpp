#include "server/hash_gate.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <sched.h>
#include <stdexcept>
#include <thread>

using mfo::server::HashGate;
using namespace std::chrono_literals;

namespace {

// A job that holds one of the gate's threads until release(); the
// constructor returns once it runs.
class HeldJob {
public:
    explicit HeldJob(HashGate& gate)
    {
        m_result = std::async(std::launch::async, [this, &gate] {
            return gate.run([this] {
                m_is_running = true;
                m_released.wait();
            });
        });
        while (!m_is_running) {
            std::this_thread::sleep_for(1ms);
        }
    }

    // A failed check must not leave the job holding the thread for ever.
    ~HeldJob()
    {
        if (m_result.valid()) {
            m_release.set_value();
        }
    }

    // Lets the job end; returns what run() returned for it.
    bool release()
    {
        m_release.set_value();
        return m_result.get();
    }

private:
    std::promise<void> m_release;
    std::shared_future<void> m_released = m_release.get_future().share();
    std::atomic<bool> m_is_running{false};
    std::future<bool> m_result;
};

} // namespace

TEST_CASE("hash gate runs a job on one of its threads at low priority",
          "[server]")
{
    HashGate gate(1, 4);
    std::thread::id ran_on;
    int policy = -1;
    const bool is_admitted = gate.run([&] {
        ran_on = std::this_thread::get_id();
        policy = sched_getscheduler(0);
    });
    CHECK(is_admitted);
    CHECK(ran_on != std::this_thread::get_id());
    CHECK(policy == SCHED_IDLE);
    // The caller's own priority is untouched.
    CHECK(sched_getscheduler(0) == SCHED_OTHER);
}

TEST_CASE("hash gate passes a job's exception to the caller", "[server]")
{
    HashGate gate(1, 4);
    CHECK_THROWS_WITH(gate.run([] { throw std::runtime_error("bad hash"); }),
                      "bad hash");
    // The thread survives it.
    bool is_run = false;
    CHECK(gate.run([&] { is_run = true; }));
    CHECK(is_run);
}

TEST_CASE("hash gate refuses a job when max_waiting jobs already queue",
          "[server]")
{
    HashGate gate(1, 1);
    // One job holds the only thread, a second waits in the queue.
    HeldJob holder(gate);
    auto waiter =
        std::async(std::launch::async, [&] { return gate.run([] {}); });
    while (gate.waiting() < 1) {
        std::this_thread::sleep_for(1ms);
    }
    // The third finds the queue full and is refused without running.
    bool is_refused_run = false;
    CHECK_FALSE(gate.run([&] { is_refused_run = true; }));
    CHECK_FALSE(is_refused_run);
    CHECK(holder.release());
    CHECK(waiter.get());
}

TEST_CASE("hash gate runs at most `threads` jobs at once", "[server]")
{
    HashGate gate(2, 16);
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    std::vector<std::future<bool>> jobs;
    for (int i = 0; i < 8; ++i) {
        jobs.push_back(std::async(std::launch::async, [&] {
            return gate.run([&] {
                const int now = ++running;
                int seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
                std::this_thread::sleep_for(20ms);
                --running;
            });
        }));
    }
    for (auto& job : jobs) {
        CHECK(job.get());
    }
    CHECK(most.load() >= 1);
    CHECK(most.load() <= 2);
}

TEST_CASE("hash gate counts a running hash without CPU as starved", "[server]")
{
    // A sleeping job uses no CPU, just as a hash would that page requests
    // keep off the core.
    HashGate gate(1, 4, 100ms);
    CHECK_FALSE(gate.is_starved());
    HeldJob holder(gate);
    // Within its patience it is not starved yet...
    CHECK_FALSE(gate.is_starved());
    std::this_thread::sleep_for(150ms);
    // ...past it, with no CPU used, it is.
    CHECK(gate.is_starved());

    // Page threads then step aside now and then: within 30 ms (three of
    // the 10 ms periods) at least one call pauses.
    bool has_paused = false;
    const auto until = std::chrono::steady_clock::now() + 30ms;
    while (std::chrono::steady_clock::now() < until) {
        const auto before = std::chrono::steady_clock::now();
        gate.make_room();
        if (std::chrono::steady_clock::now() - before >= 500us) {
            has_paused = true;
        }
    }
    CHECK(has_paused);

    CHECK(holder.release());
    // Once the job is done nothing is starved.
    CHECK_FALSE(gate.is_starved());
}
