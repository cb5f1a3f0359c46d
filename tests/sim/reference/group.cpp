// The reference's fusion group: every execution of every Einsum's tile, in
// program order, as a nest run on its unit; the units share every resource
// cycle by cycle (reference.h).
#include <map>
#include <stdexcept>

#include "tests/sim/reference/nest.h"

namespace einflow::reference {

Result simulate_group(const arch::Architecture& a, const workloads::Cascade& c, const mapping::CascadeMapping& m,
                      int64_t search_to) {
  if (m.groups.size() != 1) throw std::runtime_error("reference: one fusion group");
  const mapping::FusionGroup& g = m.groups.front();
  if (g.retain < 0) throw std::runtime_error("reference: the group retains its intermediates");
  const workloads::Cascade tc = mapping::tile_cascade(c, g.shared);
  std::vector<int64_t> size;
  for (const auto& r : tc.ranks) size.push_back(r.size);
  // Strides of the shared loops: the tile's extent times the factors inside.
  std::vector<int64_t> stride(g.shared.size(), 0), inner(size);
  for (size_t l = g.shared.size(); l-- > 0;) {
    const size_t r = static_cast<size_t>(g.shared[l].rank);
    stride[l] = inner[r];
    inner[r] *= g.shared[l].factor;
  }
  const int n = static_cast<int>(g.einsums.size());
  for (int k = 0; k < n; ++k)
    if (g.innermost(c, g.einsums[static_cast<size_t>(k)]) != static_cast<int>(g.shared.size()) - 1)
      throw std::runtime_error("reference: every Einsum iterates every shared rank");
  // Intermediates: written by one Einsum of the group and read by another; they stay at `retain`.
  auto writer_of = [&](int tensor) {
    for (int k = 0; k < n; ++k)
      if (c.einsums[static_cast<size_t>(g.einsums[static_cast<size_t>(k)])].output.tensor == tensor) return k;
    return -1;
  };
  std::vector<std::vector<int>> readers(c.tensors.size());
  for (int k = 0; k < n; ++k)
    for (const auto& in : c.einsums[static_cast<size_t>(g.einsums[static_cast<size_t>(k)])].inputs)
      if (writer_of(in.tensor) >= 0) readers[static_cast<size_t>(in.tensor)].push_back(k);

  detail::Program p;
  Result r;
  std::map<int, detail::Context> units;
  std::vector<std::vector<int>> last_step(static_cast<size_t>(n));  // per Einsum, per execution
  int previous = -1;  // the last step of the previous execution
  std::vector<int64_t> it(g.shared.size(), 0);
  for (int64_t x = 0;; ++x) {
    std::vector<int64_t> offset(c.ranks.size(), 0);
    for (size_t l = 0; l < g.shared.size(); ++l) offset[static_cast<size_t>(g.shared[l].rank)] += it[l] * stride[l];
    for (int k = 0; k < n; ++k) {
      const mapping::Mapping& tile = g.tiles[static_cast<size_t>(k)];
      const workloads::Einsum& e = c.einsums[static_cast<size_t>(g.einsums[static_cast<size_t>(k)])];
      detail::Context& ctx = units[tile.compute];
      ctx.unit = tile.compute;
      ctx.first_needs.clear();
      ctx.transfer_needs.clear();
      ctx.resident_at.clear();
      // A link's tiles follow one another within an execution; between
      // executions, which the unit may run out of program order, the link
      // takes them one at a time in the order they become ready (Op::link).
      ctx.last_transfer.clear();
      auto level_of_retain = [&]() {
        for (size_t l = 0; l < tile.levels.size(); ++l)
          if (tile.levels[l].node == g.retain) return static_cast<int>(l);
        throw std::runtime_error("reference: a tile without the retention level");
      };
      // Its data: the writers of what it reads, this iteration.
      for (const auto& in : e.inputs) {
        const int w = writer_of(in.tensor);
        if (w < 0) continue;
        ctx.first_needs.push_back(last_step[static_cast<size_t>(w)].at(static_cast<size_t>(x)));
        ctx.resident_at[in.tensor] = level_of_retain();
      }
      // Double buffering: its tiles two executions ahead at most, and its
      // output's slot free of the readers two iterations back.
      if (x >= 2) {
        ctx.transfer_needs.push_back(last_step[static_cast<size_t>(k)][static_cast<size_t>(x - 2)]);
        for (int rd : readers[static_cast<size_t>(e.output.tensor)])
          ctx.first_needs.push_back(last_step[static_cast<size_t>(rd)][static_cast<size_t>(x - 2)]);
      }
      if (!readers[static_cast<size_t>(e.output.tensor)].empty()) ctx.resident_at[e.output.tensor] = level_of_retain();
      if (g.pipeline_rank < 0 && previous >= 0) ctx.first_needs.push_back(previous);
      detail::Nest nest(a, c, tile, size, offset, p, r, ctx);
      nest.build();
      last_step[static_cast<size_t>(k)].push_back(ctx.prev_step);
      previous = ctx.prev_step;
    }
    size_t l = g.shared.size();
    while (l-- > 0) {
      if (++it[l] < g.shared[l].factor) break;
      it[l] = 0;
    }
    if (l == static_cast<size_t>(-1)) break;
  }
  detail::time_program(p, search_to, r);
  return r;
}

}  // namespace einflow::reference
