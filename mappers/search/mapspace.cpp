// The mapspace: slots, constraints resolved against one Einsum and unit, and
// the decoding of a genome into the model's nest after the cheap checks.
#include "mappers/search/mapspace.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/text.h"

namespace einflow::search {

using sim::analytical::Nest;
using sim::analytical::NestLevel;

bool operator==(const Genome& a, const Genome& b) { return std::memcmp(&a, &b, sizeof(Genome)) == 0; }

uint64_t hash_point(const Genome& g) {
  const auto* p = reinterpret_cast<const unsigned char*>(&g);
  uint64_t h = 1469598103934665603ull;
  size_t i = 0;
  for (; i + 8 <= sizeof(Genome); i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 1099511628211ull;
    h ^= h >> 29;
  }
  for (; i < sizeof(Genome); ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

const char* reject_name(Reject r) {
  switch (r) {
    case Reject::kNone: return "valid";
    case Reject::kFanout: return "spatial loops exceed the fan-out";
    case Reject::kCapacity: return "tiles exceed a level's capacity";
    case Reject::kReduction: return "a reduction across a fan-out that cannot reduce";
    case Reject::kRequiredSpatial: return "a required spatial rank is not spatial";
    case Reject::kFixedFactor: return "a remainder tile would change a fixed factor";
    case Reject::kFactorBound: return "a factor is outside its constraint's bounds";
  }
  return "?";
}

namespace {

std::vector<int64_t> prime_factors(int64_t n) {
  std::vector<int64_t> p;
  for (int64_t d = 2; d * d <= n; ++d)
    while (n % d == 0) {
      p.push_back(d);
      n /= d;
    }
  if (n > 1) p.push_back(n);
  return p;
}

}  // namespace

Mapspace::Mapspace(const arch::Architecture& arch, const workloads::Cascade& cascade, int einsum, int compute,
                   const MapperConfig& config)
    : m_arch(arch),
      m_cascade(cascade),
      m_einsum(einsum),
      m_compute(compute),
      m_imperfect(config.imperfect),
      m_model(arch, cascade, einsum, compute) {
  const workloads::Einsum& e = cascade.einsums[einsum];
  m_n_ranks = m_model.n_ranks();
  m_n_tensors = m_model.n_tensors();
  m_path = arch.storage_path(compute);
  m_n_levels = static_cast<int>(m_path.size());

  build_slots();
  build_signatures();
  m_ranks.resize(m_n_ranks);
  for (int r = 0; r < m_n_ranks; ++r) {
    RankSpace& rs = m_ranks[r];
    rs.rank = e.iteration_ranks[r];
    rs.size = m_model.rank_size(r);
    rs.fixed.fill(1);
    for (int s = 0; s < static_cast<int>(m_slots.size()); ++s) rs.slots.push_back(s);
  }
  Pins pins;
  for (const LevelConstraint& lc : config.levels) apply_constraint(lc, pins);
  apply_residuals();
  build_sizes(config);
  build_keeps(config, pins);
}

// The slots, in nest order: a temporal slot per level, and an x and a y slot
// where the fan-out below the level has that axis; the capacities and the
// ranks that may not be spatial below a level that cannot reduce.
void Mapspace::build_slots() {
  const arch::Architecture& arch = m_arch;
  const workloads::Einsum& e = m_cascade.einsums[static_cast<size_t>(m_einsum)];
  const int compute = m_compute;
  for (int i = 0; i < m_n_levels; ++i) {
    m_temporal_slot[i] = static_cast<int>(m_slots.size());
    m_slots.push_back({i, SlotKind::kTemporal, 0});
    const int below = i + 1 < m_n_levels ? m_path[i + 1] : compute;
    int64_t mx = 1, my = 1;
    for (int n = below; n >= 0 && n != m_path[i]; n = arch.nodes[n].parent) {
      mx *= arch.nodes[n].mesh.x;
      my *= arch.nodes[n].mesh.y;
    }
    if (mx > 1) m_slots.push_back({i, SlotKind::kX, mx});
    if (my > 1) m_slots.push_back({i, SlotKind::kY, my});
    const arch::Node& node = arch.nodes[m_path[i]];
    if (!arch.is_offchip(m_path[i]) && node.size_words > 0) m_capacity[i] = static_cast<double>(node.size_words);
    if (!node.spatial_reduction)
      for (int r = 0; r < m_n_ranks; ++r)
        if (std::find(e.output_ranks.begin(), e.output_ranks.end(), e.iteration_ranks[r]) == e.output_ranks.end())
          m_reduce_forbidden[i] |= 1u << r;
  }
}

// Which tensors each rank touches, and which ranks share a sliding window.
void Mapspace::build_signatures() {
  const auto& proj = m_model.projections();
  for (int t = 0; t < m_n_tensors; ++t) {
    for (int r = 0; r < m_n_ranks; ++r)
      if (proj[t].relevant & (1u << r)) m_signature[r] |= 1u << t;
    for (int v = 0; v < proj[t].n_vdims; ++v) {
      const mapping::VDim& d = proj[t].vdims[v];
      if (d.n_terms < 2) continue;
      for (int a = 0; a < d.n_terms; ++a)
        for (int b = 0; b < d.n_terms; ++b)
          if (a != b) m_sliding[d.rank[a]] |= 1u << d.rank[b];
    }
  }
}

// The free part of each rank (what the fixed factors leave) and, with
// remainder tiles, its padded sizes, each with its prime factors.
void Mapspace::build_sizes(const MapperConfig& config) {
  const workloads::Cascade& cascade = m_cascade;
  const workloads::Einsum& e = cascade.einsums[static_cast<size_t>(m_einsum)];
  std::vector<int64_t> paddings = {2};
  for (const Slot& s : m_slots)
    if (s.kind != SlotKind::kTemporal) paddings.push_back(s.limit);
  for (int r = 0; r < m_n_ranks; ++r) {
    RankSpace& rs = m_ranks[r];
    int64_t pinned = 1;
    for (int64_t f : rs.fixed) pinned *= f;
    int64_t free = rs.size / pinned;
    if (rs.size % pinned != 0) {
      if (!m_imperfect)
        throw UserError(config.loc, "the fixed factors of rank " + cascade.ranks[rs.rank].name + " multiply to " +
                                        std::to_string(pinned) + ", which does not divide its size " +
                                        std::to_string(rs.size) + " (allow remainder tiles with imperfect: true)");
      free = (rs.size + pinned - 1) / pinned;
    }
    std::vector<int64_t> padded = {free};
    if (m_imperfect) {
      for (int64_t d = 2; d < free; d *= 2) padded.push_back((free + d - 1) / d * d);
      for (int64_t d : paddings)
        if (d > 1 && d < free) padded.push_back((free + d - 1) / d * d);
      std::sort(padded.begin() + 1, padded.end());
      padded.erase(std::unique(padded.begin() + 1, padded.end()), padded.end());
      padded.erase(std::remove(padded.begin() + 1, padded.end(), free), padded.end());
      if (padded.size() > static_cast<size_t>(kMaxSizes)) padded.resize(kMaxSizes);
    }
    for (int64_t p : padded) {
      SizeOption o;
      o.padded = p;
      o.primes = prime_factors(p);
      if (o.primes.size() > static_cast<size_t>(kMaxPrimes))
        throw UserError(e.loc, "rank " + cascade.ranks[rs.rank].name + " has more prime factors than the mapspace supports");
      if (!o.primes.empty() && rs.slots.empty())
        throw UserError(config.loc, "rank " + cascade.ranks[rs.rank].name + " has factors left but the constraints leave it no loop");
      rs.sizes.push_back(o);
    }
  }
}

// Keep: the root holds everything; elsewhere the architecture and the
// constraints decide, and what is left is searched (or kept).
void Mapspace::build_keeps(const MapperConfig& config, const Pins& pins) {
  const arch::Architecture& arch = m_arch;
  const workloads::Cascade& cascade = m_cascade;
  const auto& proj = m_model.projections();
  const auto& pinned_keep = pins.keep;
  const auto& pinned_bypass = pins.bypass;
  m_keep_fixed[0] = m_keep_value[0] = (1u << m_n_tensors) - 1;
  for (int i = 1; i < m_n_levels; ++i)
    for (int t = 0; t < m_n_tensors; ++t) {
      const uint32_t bit = 1u << t;
      const bool permits = mapping::arch_permits(arch.nodes[m_path[i]], cascade.tensors[proj[t].tensor].name);
      if (pinned_keep[i] & bit) {
        m_keep_fixed[i] |= bit;
        m_keep_value[i] |= bit;
      } else if ((pinned_bypass[i] & bit) || !permits) {
        m_keep_fixed[i] |= bit;
      } else if (config.search_bypass) {
        m_keep_choices.push_back({i, t});
      } else {
        m_keep_fixed[i] |= bit;
        m_keep_value[i] |= bit;
      }
    }
}

void Mapspace::factors(const Genome& g, int64_t (*f)[kMaxSlots]) const {
  const int ns = static_cast<int>(m_slots.size());
  for (int r = 0; r < m_n_ranks; ++r) {
    const RankSpace& rs = m_ranks[r];
    for (int s = 0; s < ns; ++s) f[r][s] = rs.fixed[s];
    const SizeOption& o = rs.sizes[g.size[r]];
    for (size_t p = 0; p < o.primes.size(); ++p) f[r][rs.slots[g.slot[r][p]]] *= o.primes[p];
    if (!m_imperfect) continue;
    // Remainder tiles: the outermost loop becomes ceil(size / inner tile), and
    // loops whose inner tile already covers the rank drop to 1.
    for (int s = 0; s < ns; ++s) {
      if (f[r][s] == 1) continue;
      int64_t inner = 1;
      for (int x = s + 1; x < ns; ++x) inner *= f[r][x];
      if (inner >= rs.size) {
        f[r][s] = 1;
        continue;
      }
      f[r][s] = (rs.size + inner - 1) / inner;
      break;
    }
  }
}

Reject Mapspace::decode(const Genome& g, Nest& nest) const {
  const int ns = static_cast<int>(m_slots.size());
  int64_t f[kMaxRanks][kMaxSlots];
  factors(g, f);
  for (int r = 0; r < m_n_ranks; ++r)
    for (int s = 0; s < ns; ++s)
      if (m_ranks[r].fixed[s] != 1 && f[r][s] != m_ranks[r].fixed[s]) return Reject::kFixedFactor;
  for (const Bound& b : m_bounds) {
    int64_t v = 1;
    for (int s = 0; s < ns; ++s)
      if (m_slots[s].level == b.level && (m_slots[s].kind != SlotKind::kTemporal) == b.spatial) v *= f[b.rank][s];
    if (v < b.lo || (b.hi > 0 && v > b.hi)) return Reject::kFactorBound;
  }
  // Fan-out and spatial reduction.
  for (int s = 0; s < ns; ++s) {
    if (m_slots[s].kind == SlotKind::kTemporal) continue;
    int64_t used = 1;
    for (int r = 0; r < m_n_ranks; ++r) {
      used *= f[r][s];
      if (f[r][s] > 1 && (m_reduce_forbidden[m_slots[s].level] & (1u << r))) return Reject::kReduction;
    }
    if (used > m_slots[s].limit) return Reject::kFanout;
  }
  for (const auto& [lvl, r] : m_required_spatial) {
    int64_t sp = 1;
    for (int s = 0; s < ns; ++s)
      if (m_slots[s].level == lvl && m_slots[s].kind != SlotKind::kTemporal) sp *= f[r][s];
    if (sp == 1) return Reject::kRequiredSpatial;
  }
  // Capacity, from the innermost level out.
  uint32_t keep[kMaxLevels];
  for (int i = 0; i < m_n_levels; ++i)
    keep[i] = (m_keep_value[i] & m_keep_fixed[i]) | (g.keep[i] & ~m_keep_fixed[i]);
  int64_t tile[kMaxRanks];
  for (int r = 0; r < m_n_ranks; ++r) tile[r] = 1;
  const auto& proj = m_model.projections();
  for (int s = ns - 1; s >= 0; --s) {
    for (int r = 0; r < m_n_ranks; ++r) tile[r] *= f[r][s];
    const int lvl = m_slots[s].level;
    if (s != m_temporal_slot[lvl] || m_capacity[lvl] <= 0) continue;
    double words = 0;
    for (int t = 0; t < m_n_tensors; ++t)
      if (keep[lvl] & (1u << t)) words += static_cast<double>(proj[t].footprint(tile));
    if (words > m_capacity[lvl]) return Reject::kCapacity;
  }
  // The nest.
  nest.n_levels = m_n_levels;
  nest.imperfect = false;
  for (int r = 0; r < m_n_ranks; ++r) {
    int64_t p = 1;
    for (int s = 0; s < ns; ++s) p *= f[r][s];
    nest.imperfect = nest.imperfect || p != m_ranks[r].size;
  }
  for (int i = 0; i < m_n_levels; ++i) {
    NestLevel& l = nest.levels[i];
    l.n_temporal = l.n_spatial = 0;
    l.keep = keep[i];
    const int ts = m_temporal_slot[i];
    const auto& inner = m_pinned_inner[i];
    for (int k = 0; k < m_n_ranks; ++k) {
      const int r = g.order[i][k];
      if (f[r][ts] > 1 && std::find(inner.begin(), inner.end(), r) == inner.end())
        l.temporal[l.n_temporal++] = {static_cast<int8_t>(r), 0, f[r][ts]};
    }
    for (int r : inner)
      if (f[r][ts] > 1) l.temporal[l.n_temporal++] = {static_cast<int8_t>(r), 0, f[r][ts]};
    for (int s = ts + 1; s < ns && m_slots[s].level == i; ++s)
      for (int r = 0; r < m_n_ranks; ++r)
        if (f[r][s] > 1)
          l.spatial[l.n_spatial++] = {static_cast<int8_t>(r), static_cast<int8_t>(m_slots[s].kind == SlotKind::kX ? 0 : 1),
                                      f[r][s]};
  }
  return Reject::kNone;
}

mapping::Mapping Mapspace::to_mapping(const Genome& g) const {
  const workloads::Einsum& e = m_cascade.einsums[m_einsum];
  Nest nest;
  decode(g, nest);
  mapping::Mapping m;
  m.einsum = m_einsum;
  m.einsum_name = e.name;
  m.compute = m_compute;
  m.imperfect = nest.imperfect;
  const auto& proj = m_model.projections();
  for (int i = 0; i < m_n_levels; ++i) {
    const NestLevel& l = nest.levels[i];
    mapping::LevelMapping lm;
    lm.node = m_path[i];
    lm.written = true;
    for (int j = 0; j < l.n_temporal; ++j)
      lm.temporal.push_back({e.iteration_ranks[l.temporal[j].rank], l.temporal[j].factor, mapping::Axis::kX, {}});
    for (int j = 0; j < l.n_spatial; ++j)
      lm.spatial.push_back({e.iteration_ranks[l.spatial[j].rank], l.spatial[j].factor,
                            l.spatial[j].axis == 0 ? mapping::Axis::kX : mapping::Axis::kY, {}});
    if (i > 0)
      for (int t = 0; t < m_n_tensors; ++t) {
        const bool kept = l.keep & (1u << t);
        const bool permits = mapping::arch_permits(m_arch.nodes[lm.node], m_cascade.tensors[proj[t].tensor].name);
        if (kept && !permits) lm.keep.push_back(proj[t].tensor);
        if (!kept && permits) lm.bypass.push_back(proj[t].tensor);
      }
    m.levels.push_back(lm);
  }
  return m;
}

double Mapspace::log10_size() const {
  auto log10_choose = [](int64_t n, int64_t k) { return (std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0)) / std::log(10.0); };
  double total = 0;
  for (const RankSpace& rs : m_ranks) {
    double sum = 0;
    for (const SizeOption& o : rs.sizes) {
      double l = 0;
      const int64_t n = static_cast<int64_t>(rs.slots.size());
      for (size_t a = 0; a < o.primes.size();) {
        size_t b = a;
        while (b < o.primes.size() && o.primes[b] == o.primes[a]) ++b;
        l += log10_choose(static_cast<int64_t>(b - a) + n - 1, n - 1);
        a = b;
      }
      sum += std::pow(10.0, l);
    }
    total += std::log10(sum);
  }
  for (int i = 0; i < m_n_levels; ++i) {
    const int64_t free = m_n_ranks - static_cast<int64_t>(m_pinned_order[i].size() + m_pinned_inner[i].size());
    total += std::lgamma(free + 1.0) / std::log(10.0);
  }
  return total + static_cast<double>(m_keep_choices.size()) * std::log10(2.0);
}

}  // namespace einflow::search
