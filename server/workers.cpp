#include "server/workers.hpp"

namespace mfo::server {

WorkerPool::WorkerPool(std::string database_path, Templates templates)
    : m_database_path(std::move(database_path)),
      m_templates(std::move(templates))
{
}

WorkerPool::Lease::Lease(WorkerPool& pool, std::unique_ptr<Worker> worker)
    : m_pool(&pool), m_worker(std::move(worker))
{
}

WorkerPool::Lease::~Lease()
{
    if (m_worker) {
        m_pool->release(std::move(m_worker));
    }
}

WorkerPool::Lease WorkerPool::acquire()
{
    {
        const std::lock_guard lock(m_mutex);
        if (!m_idle.empty()) {
            std::unique_ptr<Worker> worker = std::move(m_idle.back());
            m_idle.pop_back();
            return Lease(*this, std::move(worker));
        }
    }
    // Opening a connection is slow enough to do outside the lock.
    core::Store store = core::Store::open(m_database_path);
    // m_templates is never changed after construction, so copying it
    // needs no lock.
    return Lease(*this, std::make_unique<Worker>(Worker{
                            std::move(store), SessionCache{}, m_templates}));
}

void WorkerPool::release(std::unique_ptr<Worker> worker)
{
    const std::lock_guard lock(m_mutex);
    m_idle.push_back(std::move(worker));
}

} // namespace mfo::server
