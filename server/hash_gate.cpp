#include "server/hash_gate.hpp"

#include <algorithm>

namespace mfo::server {

HashGate::HashGate(int slots, int max_waiting)
    : m_slots(std::clamp<std::ptrdiff_t>(slots, 1, k_max_slots)),
      m_max_waiting(std::max(max_waiting, 1))
{
}

HashGate::Pass::Pass(HashGate& gate) : m_gate(gate)
{
    if (gate.m_waiting.fetch_add(1) >= gate.m_max_waiting) {
        gate.m_waiting.fetch_sub(1);
        return;
    }
    gate.m_slots.acquire();
    gate.m_waiting.fetch_sub(1);
    m_is_admitted = true;
}

HashGate::Pass::~Pass()
{
    if (m_is_admitted) {
        m_gate.m_slots.release();
    }
}

} // namespace mfo::server
