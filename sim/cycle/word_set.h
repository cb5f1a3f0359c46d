// A set of word indices (non-negative int64) with open addressing: the
// walker's "seen" sets take an insert per word per step, where a node-based
// std::unordered_set spends most of its time in malloc and free.
#pragma once

#include <cstdint>
#include <vector>

namespace einflow::sim::cycle::detail {

class WordSet {
 public:
  // True when `w` was not in the set yet.
  bool insert(int64_t w) {
    if ((m_size + 1) * 4 > m_slots.size() * 3) grow();
    const size_t mask = m_slots.size() - 1;
    for (size_t i = hash(w) & mask;; i = (i + 1) & mask) {
      if (m_slots[i] == w) return false;
      if (m_slots[i] == kEmpty) {
        m_slots[i] = w;
        ++m_size;
        return true;
      }
    }
  }
  bool contains(int64_t w) const {
    if (m_slots.empty()) return false;
    const size_t mask = m_slots.size() - 1;
    for (size_t i = hash(w) & mask;; i = (i + 1) & mask) {
      if (m_slots[i] == w) return true;
      if (m_slots[i] == kEmpty) return false;
    }
  }
  size_t size() const { return m_size; }

 private:
  static constexpr int64_t kEmpty = -1;  // words are indices, never negative
  static size_t hash(int64_t w) {
    uint64_t x = static_cast<uint64_t>(w) * 0x9e3779b97f4a7c15ull;
    return static_cast<size_t>(x ^ (x >> 32));
  }
  void grow() {
    std::vector<int64_t> old(m_slots.empty() ? 16 : m_slots.size() * 2, kEmpty);
    old.swap(m_slots);
    m_size = 0;
    for (int64_t w : old)
      if (w != kEmpty) insert(w);
  }

  std::vector<int64_t> m_slots;
  size_t m_size = 0;
};

}  // namespace einflow::sim::cycle::detail
