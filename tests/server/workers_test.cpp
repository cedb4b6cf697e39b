#include "core/store.hpp"
#include "server/connection.hpp"
#include "server/render.hpp"
#include "server/workers.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

using namespace mfo;
using namespace std::chrono_literals;
using server::ConnectionQueue;
using server::Templates;
using server::WorkerPool;

TEST_CASE("worker pool makes no more than max_workers workers", "[server]")
{
    test::TempDir dir;
    const std::string path = dir.file("mfo.db");
    core::Store::initialize(path);
    WorkerPool pool(path, Templates::load(""), 1);

    std::optional<WorkerPool::Lease> first(pool.acquire());
    std::atomic<bool> is_second_leased{false};
    auto second = std::async(std::launch::async, [&] {
        WorkerPool::Lease lease = pool.acquire();
        is_second_leased = true;
    });
    // It waits for the only worker to come back...
    CHECK(second.wait_for(100ms) == std::future_status::timeout);
    CHECK_FALSE(is_second_leased);
    first.reset();
    // ...and gets it then.
    REQUIRE(second.wait_for(5s) == std::future_status::ready);
    CHECK(is_second_leased);
}

TEST_CASE("a suspended lease lets another request have its worker", "[server]")
{
    test::TempDir dir;
    const std::string path = dir.file("mfo.db");
    core::Store::initialize(path);
    WorkerPool pool(path, Templates::load(""), 1);

    WorkerPool::Lease waiting = pool.acquire();
    waiting.suspend();
    std::promise<void> done;
    std::promise<void> leased;
    auto other = std::async(std::launch::async, [&] {
        WorkerPool::Lease lease = pool.acquire();
        lease->store.count_users();
        leased.set_value();
        done.get_future().wait();
    });
    // Only once the other request holds the worker: otherwise resume()
    // could take it first and leave the other waiting for ever.
    const bool is_leased =
        leased.get_future().wait_for(5s) == std::future_status::ready;
    if (!is_leased) {
        done.set_value(); // so that a failure does not hang the suite
    }
    REQUIRE(is_leased);
    // resume() waits until the other request has finished with it.
    auto resumed = std::async(std::launch::async, [&] { waiting.resume(); });
    CHECK(resumed.wait_for(100ms) == std::future_status::timeout);
    done.set_value();
    REQUIRE(resumed.wait_for(5s) == std::future_status::ready);
    other.get();
    CHECK(waiting->store.count_users() == 0);
}

TEST_CASE("connection queue starts threads only as connections need them",
          "[server]")
{
    ConnectionQueue queue(3);
    CHECK(queue.thread_count() == 0);

    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> started{0};
    std::atomic<int> finished{0};
    for (int i = 0; i < 5; ++i) {
        queue.enqueue([&] {
            ++started;
            released.wait();
            ++finished;
        });
    }
    // Three threads at most, however many connections wait.
    for (int i = 0; i < 500 && started < 3; ++i) {
        std::this_thread::sleep_for(1ms);
    }
    CHECK(started == 3);
    CHECK(queue.thread_count() == 3);
    CHECK(queue.waiting() == 2);
    release.set_value();
    for (int i = 0; i < 5000 && finished < 5; ++i) {
        std::this_thread::sleep_for(1ms);
    }
    CHECK(finished == 5);
    CHECK(queue.thread_count() == 3);
    queue.shutdown();
}
