// The walker's value movement between levels: loading each level's new
// tiles from its parents (multicast or unicast, a recurrence's earlier
// entries fetched), evicting outputs back up, and the fast-forward log's
// replay; every word moved is counted where it is read and where it lands.
#include <algorithm>

#include "common/error.h"
#include "sim/cycle/nest_walker.h"

namespace einflow::sim::cycle::detail {

// Level k's output words not in its next tile go to the keeper above (all of
// them when `all`, at the end). Children of one parent instance reduce in the
// fan-out: the parent is updated once per word.
void Walker::evict(int k, Traffic& tr, bool all) {
  const TensorInfo& ti = m_tensors[static_cast<size_t>(m_output)];
  if (std::find(ti.keepers.begin(), ti.keepers.end(), k) == ti.keepers.end()) return;
  const int p = keeper_at_or_above(ti, k - 1);
  auto& stores = m_store[static_cast<size_t>(k)][static_cast<size_t>(m_output)];
  std::map<int64_t, std::vector<int64_t>> by_parent;
  // Per network into level k (one per instance of the level right above, the
  // keeper or not): the words it carries up, reduced within it.
  std::map<int64_t, std::vector<int64_t>> by_net;
  for (int64_t i = 0; i < m_instances[static_cast<size_t>(k)]; ++i) {
    Store& st = stores[static_cast<size_t>(i)];
    const std::vector<int64_t>* keep = all ? nullptr : &m_new_tile[static_cast<size_t>(i)];
    int64_t n = 0;
    for (auto it = st.begin(); it != st.end();) {
      if (keep && std::binary_search(keep->begin(), keep->end(), it->first)) {
        ++it;
        continue;
      }
      // Only words some point updated go up; the others (a recurrence's
      // earlier entries, read but not written here) are dropped.
      if (it->second.dirty) {
        const int64_t pi = ancestor(i, k, p);
        if (level_node(k).noc_bandwidth > 0) by_net[ancestor(i, k, k - 1)].push_back(it->first);
        bank_access(tr, k, i, m_output, it->first, false);
        if (it->second.written) combine_into(m_output, p, pi, it->first, it->second.v);
        if (p > 0) mark_dirty(p, pi, it->first, m_log_evicted);
        by_parent[pi].push_back(it->first);
        tr.evicted.push_back(it->first);
        ++n;
      }
      it = st.erase(it);
    }
    tr.child_out = std::max(tr.child_out, n);
  }
  for (auto& [net, ws] : by_net) {
    sort_unique(ws);
    tr.noc_up[net] += static_cast<int64_t>(ws.size());
  }
  for (auto& [pi, ws] : by_parent) {
    sort_unique(ws);
    const int64_t u = static_cast<int64_t>(ws.size());
    m_counts[static_cast<size_t>(p)][static_cast<size_t>(m_output)].updates += u;
    tr.parent_write[p][pi] += u;
    for (int64_t w : ws) parent_access(tr, p, pi, m_output, w, true);
  }
}

void Walker::load(int k, Traffic& tr) {
  std::vector<int64_t> sidx(m_spatial.size());
  std::vector<int64_t> in_words(static_cast<size_t>(m_instances[static_cast<size_t>(k)]), 0);
  for (size_t t = 0; t < m_tensors.size(); ++t) {
    const TensorInfo& ti = m_tensors[t];
    if (std::find(ti.keepers.begin(), ti.keepers.end(), k) == ti.keepers.end()) continue;
    const int p = keeper_at_or_above(ti, k - 1);
    const bool mc = multicast_between(p, k);
    Arrivals arr;
    arrive(k, t, p, mc, tr, sidx, in_words, arr);
    tally_parent_reads(k, t, p, mc, tr, arr);
  }
  for (int64_t w : in_words) tr.child_in = std::max(tr.child_in, w);
}

// Tensor t's new tile words into every instance of level k from its keeper p
// above: the values, the fills, the child's bank accesses, and what each
// parent instance sends (in `arr`; without multicast, a copy per child).
void Walker::arrive(int k, size_t t, int p, bool mc, Traffic& tr, std::vector<int64_t>& sidx,
                    std::vector<int64_t>& in_words, Arrivals& arr) {
  const TensorInfo& ti = m_tensors[t];
  auto& stores = m_store[static_cast<size_t>(k)][t];
  std::vector<int64_t> written;
  for (int64_t i = 0; i < m_instances[static_cast<size_t>(k)]; ++i) {
    spatial_of(i, k, sidx);
    std::vector<int64_t> tile;
    tile_of(ti, k, sidx, tile);
    if (ti.self_read) tile_of(ti, k, sidx, written, true);
    m_tile_words[static_cast<size_t>(k)][t] = std::max<int64_t>(
        m_tile_words[static_cast<size_t>(k)][t], static_cast<int64_t>(tile.size()));
    Store& st = stores[static_cast<size_t>(i)];
    const int64_t pi = ancestor(i, k, p);
    const bool timed_net = level_node(k).noc_bandwidth > 0;
    std::vector<int64_t>* net = timed_net ? &arr.by_net[ancestor(i, k, k - 1)] : nullptr;
    int64_t fresh = 0;
    for (int64_t w : tile) {
      if (st.count(w)) continue;
      ++fresh;
      // The network into k carries every word that really arrives (an output
      // word's first arrival only initializes it); with multicast once per network.
      const bool earlier_entry = ti.self_read && !std::binary_search(written.begin(), written.end(), w);
      if (net && (!ti.output || earlier_entry || m_sent[static_cast<size_t>(k)][t][static_cast<size_t>(pi)].contains(w))) {
        if (mc) net->push_back(w);
        else ++arr.net_copies[ancestor(i, k, k - 1)];
      }
      if (ti.self_read && !std::binary_search(written.begin(), written.end(), w)) {
        bank_access(tr, k, i, static_cast<int>(t), w, true);
        arr.fetched[pi].push_back(w);
        ++m_counts[static_cast<size_t>(k)][t].fills;
        if (!mc) {
          ++m_counts[static_cast<size_t>(p)][t].reads;
          ++arr.unicast[pi];
          parent_access(tr, p, pi, static_cast<int>(t), w, false);
        }
      } else {
        arr.by_parent[pi].push_back(w);
        // The child's banks take the words that really arrive: not an output
        // word's first arrival, which only initializes it.
        if (!ti.output ||
            (m_bank_ports[static_cast<size_t>(k)] > 0 &&
             m_sent[static_cast<size_t>(k)][t][static_cast<size_t>(pi)].contains(w)))
          bank_access(tr, k, i, static_cast<int>(t), w, true);
        if (!ti.output && !mc) {
          ++arr.unicast[pi];
          parent_access(tr, p, pi, static_cast<int>(t), w, false);
        }
      }
      Cell c;
      if (!ti.output || ti.self_read) {
        // A recurrence reads earlier entries of its own output: they arrive with their values.
        if (m_opts.functional) c.v = value_at(static_cast<int>(t), p, pi, w);
      } else {
        c.v = workloads::reduce_identity(m_einsum.reduce);
      }
      st.emplace(w, c);
    }
    if (!ti.output) {
      // Inputs: words outside the new tile are dropped.
      for (auto it = st.begin(); it != st.end();)
        it = std::binary_search(tile.begin(), tile.end(), it->first) ? std::next(it)
                                                                     : st.erase(it);
      m_counts[static_cast<size_t>(k)][t].fills += fresh;
      if (!mc) m_counts[static_cast<size_t>(p)][t].reads += fresh;
    }
    in_words[static_cast<size_t>(i)] += fresh;
  }
}

// The parent's reads of what arrived: an output word's first arrival only
// initializes it, later ones refill a partial sum; with multicast a word once
// per parent instance.
void Walker::tally_parent_reads(int k, size_t t, int p, bool mc, Traffic& tr, Arrivals& arr) {
  const TensorInfo& ti = m_tensors[t];
  for (auto& [net, ws] : arr.by_net) {
    sort_unique(ws);
    tr.noc_down[net] += static_cast<int64_t>(ws.size());
  }
  for (const auto& [net, n] : arr.net_copies) tr.noc_down[net] += n;
  for (auto& [pi, ws] : arr.by_parent) {
    sort_unique(ws);
    int64_t words = static_cast<int64_t>(ws.size());
    if (ti.output) {
      // The first arrival of a word initializes it; later ones refill a partial sum.
      auto& seen = m_sent[static_cast<size_t>(k)][t][static_cast<size_t>(pi)];
      words = 0;
      for (int64_t w : ws)
        if (!seen.insert(w)) {
          ++words;
          parent_access(tr, p, pi, static_cast<int>(t), w, false);
          // A partial sum comes back down only once it has gone up.
          auto back = m_evict_landed[static_cast<size_t>(k)].find(w);
          if (back != m_evict_landed[static_cast<size_t>(k)].end()) {
            tr.refill_ready = std::max(tr.refill_ready, back->second);
            m_evict_landed[static_cast<size_t>(k)].erase(back);
          }
        } else if (m_log_on) {
          m_log_seen.emplace_back(k, pi, w);
        }
      m_counts[static_cast<size_t>(k)][t].fills += words;
      m_counts[static_cast<size_t>(p)][t].reads += words;
    } else if (mc) {
      m_counts[static_cast<size_t>(p)][t].reads += words;
      for (int64_t w : ws) parent_access(tr, p, pi, static_cast<int>(t), w, false);
    } else {
      words = 0;  // counted per child below
    }
    tr.parent_read[p][pi] += words;
  }
  for (auto& [pi, ws] : arr.fetched) {
    if (!mc) continue;  // counted per child below
    sort_unique(ws);
    const int64_t words = static_cast<int64_t>(ws.size());
    m_counts[static_cast<size_t>(p)][t].reads += words;
    tr.parent_read[p][pi] += words;
    for (int64_t w : ws) parent_access(tr, p, pi, static_cast<int>(t), w, false);
  }
  for (const auto& [pi, words] : arr.unicast) tr.parent_read[p][pi] += words;
}

// Fast-forward: replays the logged first touches, sends and dirty flags of
// the last iteration shifted by `shift` words (levels at or above `up_to_level`).
void Walker::replay_log(int64_t shift, int up_to_level, bool evicted_only) {
  const size_t t = static_cast<size_t>(m_output);
  // Dirty flags only where the words stay across the loop (a level at or
  // above it holds every iteration's words); below it they came and went.
  auto dirty = [&](const Log& log) {
    for (const auto& [k, i, w] : log) {
      if (k > up_to_level) continue;
      auto& st = m_store[static_cast<size_t>(k)][t][static_cast<size_t>(i)];
      auto it = st.find(w + shift);
      if (it != st.end()) it->second.dirty = true;
    }
  };
  dirty(m_log_evicted);
  if (evicted_only) return;
  dirty(m_log_dirty);
  for (const auto& [q, qi, w] : m_log_first)
    m_compute_seen[static_cast<size_t>(qi)].insert(w + shift);
  for (const auto& [k, pi, w] : m_log_seen)
    m_sent[static_cast<size_t>(k)][t][static_cast<size_t>(pi)].insert(w + shift);
}

}  // namespace einflow::sim::cycle::detail
