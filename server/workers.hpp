#pragma once

#include "core/store.hpp"
#include "server/render.hpp"
#include "server/sessions.hpp"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mfo::server {

// Rendered pages kept by one worker. A page here is a function of the
// database and the visitor's session only, so it stays valid until some
// table changes: sync() compares SQLite's data_version (commits by other
// connections) and the connection's own change count, and forgets every
// page when either moved. Bounded: past k_max_pages it starts over.
class PageCache {
public:
    static constexpr std::size_t k_max_pages = 64;

    // `data_version` is the store's, read this request.
    void sync(core::Store& store, std::int64_t data_version);
    const std::string* find(const std::string& key) const;
    void put(const std::string& key, std::string page);

private:
    std::pair<std::int64_t, std::int64_t> m_state{-1, -1};
    std::unordered_map<std::string, std::string> m_pages;
};

// What one request needs that must not be shared between threads: a
// SQLite connection, the sessions it has loaded, the pages it has
// rendered and a copy of the parsed templates (kainjow's render is not
// const).
struct Worker {
    core::Store store;
    SessionCache sessions;
    Templates templates;
    PageCache pages;
};

// Hands each request a Worker of its own. Workers are made on demand, up
// to `max_workers`, and kept for the next request; past that a request
// waits for one to come back. Each holds a database connection, caches
// and templates, so the cap bounds memory however many connections are
// open; a few per core keep the cores busy, since a request holds its
// worker only while it reads, writes or renders (not while it waits for a
// password hash, see Lease::suspend).
class WorkerPool {
public:
    WorkerPool(std::string database_path, Templates templates,
               std::size_t max_workers);

    class Lease {
    public:
        Lease(WorkerPool& pool, std::unique_ptr<Worker> worker);
        Lease(Lease&&) = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        Worker& operator*() const { return *m_worker; }
        Worker* operator->() const { return m_worker.get(); }

        // Gives the worker back to the pool until resume(), which leases
        // one again (maybe another): a request about to wait a long time,
        // for a password hash, need not hold a database connection.
        void suspend();
        void resume();

    private:
        WorkerPool* m_pool;
        std::unique_ptr<Worker> m_worker;
    };

    // Throws core::Error when a new connection cannot be opened.
    Lease acquire();

private:
    std::unique_ptr<Worker> take();
    void release(std::unique_ptr<Worker> worker);

    std::string m_database_path;
    Templates m_templates;
    std::size_t m_max_workers;
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::size_t m_worker_count = 0; // made and not destroyed
    std::vector<std::unique_ptr<Worker>> m_idle;
};

} // namespace mfo::server
