#include "server/workers.hpp"

#include <SQLiteCpp/Database.h>
#include <algorithm>
#include <malloc.h>

namespace mfo::server {
namespace {

constexpr int k_malloc_arenas = 2;

} // namespace

void PageCache::sync(core::Store& store, std::int64_t data_version)
{
    const std::pair<std::int64_t, std::int64_t> state{
        data_version, store.database().getTotalChanges()};
    if (state != m_state) {
        m_pages.clear();
        m_state = state;
    }
}

const std::string* PageCache::find(const std::string& key) const
{
    const auto found = m_pages.find(key);
    return found == m_pages.end() ? nullptr : &found->second;
}

void PageCache::put(const std::string& key, std::string page)
{
    if (m_pages.size() >= k_max_pages) {
        m_pages.clear();
    }
    m_pages.insert_or_assign(key, std::move(page));
}

WorkerPool::WorkerPool(std::string database_path, Templates templates,
                       std::size_t max_workers)
    : m_database_path(std::move(database_path)),
      m_templates(std::move(templates)),
      m_max_workers(std::max<std::size_t>(max_workers, 1))
{
    // glibc gives each thread that allocates an arena of its own, up to
    // 8 per core, and each keeps 1-2 MiB resident: with one pool thread
    // per keep-alive connection that multiplied the resident set. Two
    // arenas are plenty for requests that spend microseconds in malloc.
    mallopt(M_ARENA_MAX, k_malloc_arenas);
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

void WorkerPool::Lease::suspend()
{
    if (m_worker) {
        m_pool->release(std::move(m_worker));
    }
}

void WorkerPool::Lease::resume()
{
    if (!m_worker) {
        m_worker = m_pool->take();
    }
}

WorkerPool::Lease WorkerPool::acquire()
{
    return Lease(*this, take());
}

std::unique_ptr<Worker> WorkerPool::take()
{
    {
        std::unique_lock lock(m_mutex);
        m_returned.wait(lock, [this] {
            return !m_idle.empty() || m_worker_count < m_max_workers;
        });
        if (!m_idle.empty()) {
            std::unique_ptr<Worker> worker = std::move(m_idle.back());
            m_idle.pop_back();
            return worker;
        }
        ++m_worker_count;
    }
    // Opening a connection is slow enough to do outside the lock.
    try {
        core::Store store = core::Store::open(m_database_path);
        // m_templates is never changed after construction, so copying it
        // needs no lock.
        return std::make_unique<Worker>(
            Worker{std::move(store), SessionCache{}, m_templates, {}});
    } catch (...) {
        {
            const std::lock_guard lock(m_mutex);
            --m_worker_count;
        }
        m_returned.notify_one();
        throw;
    }
}

void WorkerPool::release(std::unique_ptr<Worker> worker)
{
    {
        const std::lock_guard lock(m_mutex);
        m_idle.push_back(std::move(worker));
    }
    m_returned.notify_one();
}

} // namespace mfo::server
