#pragma once

#include "core/store.hpp"
#include "server/render.hpp"
#include "server/sessions.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mfo::server {

// What one request needs that must not be shared between threads: a
// SQLite connection, the sessions it has loaded and a copy of the parsed
// templates (kainjow's render is not const).
struct Worker {
    core::Store store;
    SessionCache sessions;
    Templates templates;
};

// Hands each request a Worker of its own. Workers are made on demand, so
// there are never more than the requests running at once (at most the
// thread count), and are kept for the next request.
class WorkerPool {
public:
    WorkerPool(std::string database_path, Templates templates);

    class Lease {
    public:
        Lease(WorkerPool& pool, std::unique_ptr<Worker> worker);
        Lease(Lease&&) = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        Worker& operator*() const { return *m_worker; }
        Worker* operator->() const { return m_worker.get(); }

    private:
        WorkerPool* m_pool;
        std::unique_ptr<Worker> m_worker;
    };

    // Throws core::Error when a new connection cannot be opened.
    Lease acquire();

private:
    void release(std::unique_ptr<Worker> worker);

    std::string m_database_path;
    Templates m_templates;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<Worker>> m_idle;
};

} // namespace mfo::server
