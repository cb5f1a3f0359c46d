// The five attention designs of FuseMax's ablation, built from the cascade and
// the architecture (shared/reference/fusemax.md):
//   unfused       3-pass; every Einsum alone, intermediates through DRAM
//   flat          3-pass; one group over (batch, head, query tile); QK rows stay in the buffer;
//                 the 2D and 1D arrays pipelined across query rows (FLAT's row granularity)
//   cascade       1-pass on the same binding as FLAT (contractions on the 2D array)
//   architecture  1-pass; every Einsum over the M0 fiber on the 2D array (FuseMax PEs)
//   fusemax       the same, the two arrays pipelined across M1
#include <algorithm>
#include <cmath>
#include <map>

#include "mappers/mapping/unit_ops.h"
#include "common/contains.h"
#include "common/text.h"
#include "mappers/named/named.h"
#include "sim/analytical/group_model.h"
#include "workloads/analysis.h"

namespace einflow::named {
namespace {

// Whether an Einsum of `group` reads a reduction over rank `r` made in the
// group (then the group cannot share a loop over r: that is another pass).
bool reads_own_reduction(const workloads::Cascade& c, const std::vector<int>& group, int e, int r) {
  for (int w : group) {
    if (w == e) break;
    const workloads::Einsum& ws = c.einsums[static_cast<size_t>(w)];
    if (contains(ws.reduced_ranks, r) && c.einsums[static_cast<size_t>(e)].reads(ws.output.tensor)) return true;
  }
  return false;
}

bool can_share_keys(const workloads::Cascade& c, const std::vector<int>& group, int M) {
  for (int e : group)
    if (reads_own_reduction(c, group, e, M)) return false;
  return true;
}

// The design's Einsums in dependency order, split into passes where an
// off-chip intermediate is read by an Einsum that needs a reduction over the
// keys made in the current pass: that intermediate is written to DRAM in one
// pass and read back in the next (FLAT beyond 64K).
std::vector<std::vector<int>> split_passes(const workloads::Cascade& c, const std::vector<int>& offchip) {
  const int M = c.find_rank("M");
  std::vector<std::vector<int>> passes(1);
  for (int e : c.topo_order) {
    bool reads_offchip = false;
    for (int t : offchip) reads_offchip = reads_offchip || c.einsums[static_cast<size_t>(e)].reads(t);
    if (reads_offchip && M >= 0 && reads_own_reduction(c, passes.back(), e, M) && !passes.back().empty())
      passes.emplace_back();
    passes.back().push_back(e);
  }
  return passes;
}

// The tensors of the `offchip` parameter; a UserError at the parameters for a name that is not an intermediate.
std::vector<int> offchip_tensors(const Design& d, const workloads::Cascade& c) {
  std::vector<int> offchip;
  for (const auto& name : d.params.offchip) {
    const int t = c.find_tensor(name);
    if (t < 0 || c.tensors[static_cast<size_t>(t)].kind != workloads::TensorKind::kIntermediate)
      throw UserError(d.params.loc, "offchip: '" + name + "' is not an intermediate of cascade '" + c.name + "'");
    offchip.push_back(t);
  }
  return offchip;
}

// Every intermediate over the keys (FLAT's score rows: QK, SN, A).
std::vector<int> key_intermediates(const workloads::Cascade& c) {
  std::vector<int> out;
  const int M = c.find_rank("M");
  for (size_t t = 0; t < c.tensors.size(); ++t)
    if (c.tensors[t].kind == workloads::TensorKind::kIntermediate && contains(c.tensors[t].ranks, M))
      out.push_back(static_cast<int>(t));
  return out;
}

}  // namespace

const std::vector<Design>& attention_designs() {
  static const std::vector<Design> designs = {
      {"unfused", "3pass", "3-pass cascade, each Einsum to completion, intermediates through DRAM", false, false, false, "attention", attention_plan, {}},
      {"flat", "3pass", "3-pass cascade fused per query tile; QK rows stay in the global buffer (spill when they do not fit); the 2D and 1D arrays pipelined across query tiles",
       true, false, true, "attention", attention_plan, {}},
      {"cascade", "1pass", "1-pass cascade on FLAT's binding: contractions on the 2D array, the rest on the 1D array",
       true, false, false, "attention", attention_plan, {}},
      {"architecture", "1pass", "1-pass; every Einsum over the M0 fiber on the 2D array, the M1 recurrences on the 1D array",
       true, true, false, "attention", attention_plan, {}},
      {"fusemax", "1pass", "as architecture, the 2D and 1D arrays pipelined across M1 (FuseMax's binding)", true, true,
       true, "attention", attention_plan, {}},
  };
  return designs;
}

EINFLOW_REGISTER_DESIGNS(attention, "attention", attention_designs())

namespace {

std::map<std::string, std::vector<Design>>& design_registry() {
  static std::map<std::string, std::vector<Design>> families;
  return families;
}

}  // namespace

bool register_designs(const std::string& family, const std::vector<Design>& list) {
  design_registry()[family] = list;
  return true;
}

std::vector<const Design*> designs() {
  std::vector<const Design*> out;
  for (const auto& [family, list] : design_registry())
    for (const auto& d : list) out.push_back(&d);
  return out;
}

const Design* find_design(const std::string& name) {
  for (const Design* d : designs())
    if (d->name == name) return d;
  return nullptr;
}

const Design& design_named(const std::string& name, const SourceLoc& where, const std::string& key) {
  if (const Design* d = find_design(name)) return *d;
  std::vector<std::string> names;
  for (const Design* d : designs()) names.push_back(d->name);
  throw UserError(where, key, "no design '" + name + "' (" + join(names, ", ") + ")" + did_you_mean(name, names));
}

mapping::CascadeMapping attention_mapping(const Design& d, const arch::Architecture& a, const workloads::Cascade& c) {
  DesignMapping r = try_attention_mapping(d, a, c);
  if (!r.status.ok) throw UserError(r.status.loc, r.status.reason);
  return std::move(r.mapping);
}

namespace {

// Binding: contractions (and copies) on the 2D array, the rest on the 1D
// array; under FuseMax's binding every Einsum over the M0 fiber on the 2D array.
std::vector<int> bind_units(const Design& d, const workloads::Cascade& c, const ArrayUnits& units, int M0) {
  std::vector<int> unit_of(c.einsums.size(), units.array1d);
  for (size_t e = 0; e < c.einsums.size(); ++e) {
    const workloads::Einsum& es = c.einsums[e];
    const bool on_2d = d.fusemax_binding ? (M0 >= 0 && contains(es.iteration_ranks, M0))
                                         : (mapping::is_contraction(c, static_cast<int>(e)) || workloads::is_copy(es));
    if (on_2d) unit_of[e] = units.array2d;
  }
  return unit_of;
}

// Intermediates over the 2D array's two spatial ranks (the key fiber and P),
// made and used only there, stay in its PE registers.
std::vector<std::pair<int, int>> register_retention(const arch::Architecture& a, const workloads::Cascade& c,
                                                    const ArrayUnits& units, const std::vector<int>& unit_of,
                                                    int buffer) {
  const int P = c.find_rank("P"), M = c.find_rank("M"), M0 = c.find_rank("M0");
  const std::vector<int> path2d = a.storage_path(units.array2d);
  const int pe = path2d.back() != buffer ? path2d.back() : -1;
  const int fiber = M0 >= 0 ? M0 : M;
  std::vector<std::pair<int, int>> retain_at;
  for (size_t t = 0; t < c.tensors.size() && pe >= 0 && units.array2d != units.array1d; ++t) {
    const workloads::Tensor& x = c.tensors[t];
    if (x.kind != workloads::TensorKind::kIntermediate || !contains(x.ranks, fiber) || !contains(x.ranks, P))
      continue;
    bool only_2d = !x.writers.empty();
    for (int w : x.writers) only_2d = only_2d && unit_of[w] == units.array2d && !workloads::is_copy(c.einsums[w]);
    for (int r : x.readers) only_2d = only_2d && unit_of[r] == units.array2d;
    if (only_2d) retain_at.emplace_back(static_cast<int>(t), pe);
  }
  return retain_at;
}

// The 2D array's stationarity per contraction (design parameter): output
// stationary puts the output's non-query rank across the columns and the
// queries down the rows; weight stationary the key-side input (K, V) across
// both, its non-key rank across the columns (FLAT: F or E of 256 columns).
std::vector<TileRequest> stationary_requests(const Design& d, const workloads::Cascade& c,
                                             const std::vector<int>& unit_of, int array2d, const TileRequest& req) {
  const int P = c.find_rank("P"), M = c.find_rank("M"), B = c.find_rank("B"), H = c.find_rank("H");
  std::vector<TileRequest> req_of(c.einsums.size(), req);
  auto other_rank = [&](const std::vector<int>& ranks, int skip) {
    for (int r : ranks)
      if (r != B && r != H && r != skip) return c.ranks[static_cast<size_t>(r)].name;
    return std::string();
  };
  for (const auto& [name, how] : d.params.stationary) {
    int e = -1;
    for (size_t i = 0; i < c.einsums.size(); ++i)
      if (c.einsums[i].name == name) e = static_cast<int>(i);
    if (e < 0 || !mapping::is_contraction(c, e) || unit_of[static_cast<size_t>(e)] != array2d)
      throw UserError(d.params.loc, "stationary: " + name + " is not a contraction on the 2D array of cascade '" +
                                        c.name + "'");
    const workloads::Einsum& es = c.einsums[static_cast<size_t>(e)];
    TileRequest& r = req_of[static_cast<size_t>(e)];
    if (how == "output") {
      r.x_ranks = {other_rank(es.output_ranks, P)};
      r.y_ranks = {"P"};
    } else {
      std::vector<int> weight_ranks;
      for (const auto& in : es.inputs)
        if (!contains(c.tensors[static_cast<size_t>(in.tensor)].ranks, P))
          weight_ranks = c.tensors[static_cast<size_t>(in.tensor)].ranks;
      r.x_ranks = {other_rank(weight_ranks, M)};
      r.y_ranks = {"M"};
    }
    if (r.x_ranks.front().empty())
      throw UserError(d.params.loc, "stationary: " + name + " has no " +
                                        (how == "output" ? std::string("output rank besides the queries")
                                                         : std::string("key-side input with a rank besides the keys")) +
                                        " to hold across the columns");
  }
  return req_of;
}

// Tile sizes that halve down from `size` (from size / 2 when `below`), at most `most`.
std::vector<int64_t> halvings(int64_t size, bool below, size_t most) {
  std::vector<int64_t> out;
  for (int64_t t = below ? size / 2 : size; t >= 1 && size % t == 0 && out.size() < most; t /= 2) out.push_back(t);
  return out;
}

// The fused designs' search over the free sizes: every query tile (and, in
// passes, key tile) candidate built and evaluated; the lowest energy-delay
// product wins (the mapper's default objective; then the first, largest tile).
class FusedSearch {
 public:
  FusedSearch(const Design& d, const arch::Architecture& a, const workloads::Cascade& c,
              const std::vector<int>& unit_of, const std::vector<TileRequest>& req_of, int buffer,
              const std::vector<std::pair<int, int>>& retain_at)
      : d(d), a(a), c(c), unit_of(unit_of), req_of(req_of), buffer(buffer), retain_at(retain_at) {}

  void run(const std::vector<std::vector<int>>& passes, const std::vector<int64_t>& query_tiles,
           const std::vector<int64_t>& key_tiles) {
    for (int64_t tile : query_tiles)
      for (int64_t key_tile : key_tiles) consider(build(passes, tile, key_tile));
  }

  mapping::CascadeMapping best;
  bool best_spills = false;
  std::string last_reason;

 private:
  mapping::CascadeMapping build(const std::vector<std::vector<int>>& passes, int64_t tile, int64_t key_tile) const {
    const int P = c.find_rank("P"), M = c.find_rank("M"), M1 = c.find_rank("M1");
    mapping::CascadeMapping m;
    m.variant = d.variant;
    m.loc = c.loc;
    for (const std::vector<int>& pass : passes) {
      mapping::FusionGroup g;
      g.loc = c.loc;
      for (int r : {c.find_rank("B"), c.find_rank("H")})
        if (r >= 0 && c.ranks[r].size > 1) g.shared.push_back({r, c.ranks[r].size, mapping::Axis::kX, c.loc});
      if (c.ranks[P].size / tile > 1) g.shared.push_back({P, c.ranks[P].size / tile, mapping::Axis::kX, c.loc});
      if (d.variant == "1pass" && c.ranks[M1].size > 1)
        g.shared.push_back({M1, c.ranks[M1].size, mapping::Axis::kX, c.loc});
      if (key_tile < c.ranks[M].size && can_share_keys(c, pass, M))
        g.shared.push_back({M, c.ranks[M].size / key_tile, mapping::Axis::kX, c.loc});
      g.retain = buffer;
      g.retain_at = retain_at;
      // FuseMax pipelines the arrays across M1; FLAT (3-pass) across query rows.
      if (d.pipelined) g.pipeline_rank = d.variant == "1pass" ? M1 : P;
      const workloads::Cascade tc = mapping::tile_cascade(c, g.shared);
      for (int e : pass) {
        g.einsums.push_back(e);
        g.tiles.push_back(canonical_tile(a, tc, e, unit_of[e], req_of[static_cast<size_t>(e)]));
      }
      m.groups.push_back(std::move(g));
    }
    return m;
  }

  void consider(mapping::CascadeMapping m) {
    const mapping::MappingStatus st = mapping::validate_cascade_mapping(m, c, a);
    if (!st.ok) {
      last_reason = st.reason;
      return;
    }
    const sim::analytical::CascadeStats cs = sim::analytical::evaluate_cascade(a, c, m);
    const double edp = static_cast<double>(cs.stats.cycles) * cs.stats.energy_pj;
    if (!best.groups.empty() && edp >= best_edp) return;
    best = std::move(m);
    best_edp = edp;
    best_spills = false;
    for (const auto& gs : cs.groups) best_spills = best_spills || !gs.spilled.empty();
  }

  const Design& d;
  const arch::Architecture& a;
  const workloads::Cascade& c;
  const std::vector<int>& unit_of;
  const std::vector<TileRequest>& req_of;
  const int buffer;
  const std::vector<std::pair<int, int>>& retain_at;
  double best_edp = 0;
};

}  // namespace

DesignMapping try_attention_mapping(const Design& d, const arch::Architecture& a, const workloads::Cascade& c) {
  const auto not_here = [](const SourceLoc& loc, const std::string& why) {
    DesignMapping r;
    r.status = {false, why, loc};
    return r;
  };
  const int P = c.find_rank("P"), M = c.find_rank("M"), M1 = c.find_rank("M1"), M0 = c.find_rank("M0");
  if (P < 0 || M < 0)
    return not_here(c.loc, "design " + d.name + " maps an attention cascade (ranks P and M); cascade '" + c.name +
                               "' has none");
  if (d.variant == "1pass" && (M1 < 0 || M0 < 0 || !c.ranks[M1].iterative))
    return not_here(c.loc, "design " + d.name + " runs the 1-pass cascade (M = M1 x M0, M1 iterative); cascade '" +
                               c.name + "' is not one");
  const ArrayUnits units = find_array_units(a);
  if (units.array2d < 0) throw UserError(a.loc, "architecture '" + a.name + "' has no compute unit");
  const std::vector<int> unit_of = bind_units(d, c, units, M0);
  TileRequest req;
  req.x_ranks = {"P", "M0", "M"};
  req.y_ranks = {"M0", "M"};
  if (!d.fused) {
    DesignMapping r;
    r.mapping = canonical_unfused(a, c, unit_of, req);
    r.mapping.variant = d.variant;
    r.status = mapping::validate_cascade_mapping(r.mapping, c, a);
    if (!r.status.ok)
      r.status.reason = "design " + d.name + " cannot run on architecture '" + a.name + "': " + r.status.reason;
    return r;
  }

  // Retention: the buffer both arrays share, and the 2D array's PE registers.
  const int buffer = common_storage(a, {units.array2d, units.array1d});
  const std::vector<std::pair<int, int>> retain_at = register_retention(a, c, units, unit_of, buffer);
  req.retain = retain_at;
  const std::vector<TileRequest> req_of = stationary_requests(d, c, unit_of, units.array2d, req);

  // The passes: one group, or (offchip given) split where those intermediates
  // go through DRAM, each pass sharing a key tile. Query tiles halve down
  // from P; FLAT pipelines across query-row blocks, so at least two.
  const std::vector<int> offchip = offchip_tensors(d, c);
  const std::vector<std::vector<int>> passes = split_passes(c, offchip);
  // Each offchip intermediate must cross from one pass to a later one.
  for (int t : offchip) {
    size_t written = 0, read = 0;
    for (size_t p = 0; p < passes.size(); ++p)
      for (int e : passes[p]) {
        if (c.einsums[static_cast<size_t>(e)].output.tensor == t) written = p;
        if (c.einsums[static_cast<size_t>(e)].reads(t)) read = std::max(read, p);
      }
    if (read <= written)
      throw UserError(d.params.loc, "offchip: " + c.tensors[static_cast<size_t>(t)].name +
                                        " is written and read within one pass (a pass ends only where a reader "
                                        "needs a reduction over the keys made in it)");
  }
  const bool rows_pipelined = d.pipelined && d.variant != "1pass";
  std::vector<int64_t> query_tiles = halvings(c.ranks[P].size, rows_pipelined, 64);
  if (query_tiles.empty()) query_tiles = {c.ranks[P].size};  // one query row, or an odd count: one block
  if (d.params.query_tile > 0) {
    if (c.ranks[P].size % d.params.query_tile != 0)
      throw UserError(d.params.loc, "query_tile " + std::to_string(d.params.query_tile) + " does not divide P = " +
                                        std::to_string(c.ranks[P].size));
    query_tiles = {d.params.query_tile};
  }
  FusedSearch search(d, a, c, unit_of, req_of, buffer, retain_at);
  std::vector<int64_t> key_tiles = {c.ranks[M].size};
  if (passes.size() > 1)
    for (int64_t t : halvings(c.ranks[M].size, true, 11)) key_tiles.push_back(t);
  search.run(passes, query_tiles, key_tiles);
  // Without the parameter FLAT also tries the split at every score-row
  // intermediate when its one group spills them.
  if (rows_pipelined && d.params.offchip.empty() && search.best_spills) {
    const std::vector<std::vector<int>> split = split_passes(c, key_intermediates(c));
    if (split.size() > 1) search.run(split, query_tiles, halvings(c.ranks[M].size, true, 12));
  }
  if (search.best.groups.empty())
    return not_here(a.loc, "design " + d.name + " cannot run on architecture '" + a.name + "': " + search.last_reason);
  DesignMapping r;
  r.mapping = std::move(search.best);
  return r;
}

}  // namespace einflow::named
