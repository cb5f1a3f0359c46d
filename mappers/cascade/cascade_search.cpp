#include "mappers/cascade/cascade_search.h"

#include <map>
#include <memory>
#include <mutex>

#include "mappers/cascade/cascade_space.h"
#include "mappers/cascade/optimal.h"
#include "mappers/search/objective.h"
#include "mappers/search/search.h"
#include "sim/analytical/group_model.h"

namespace einflow::cascade {
namespace {

struct Scored {
  double cost = search::kInvalid;
  std::string reject;  // why the mapping rules rejected it ("" when valid)
};

// Scores points on any thread: decode, validate, the analytical model;
// remembers every point it scored (a search revisits points).
class Scorer {
 public:
  Scorer(const arch::Architecture& a, const workloads::Cascade& c, const CascadeSpace& space,
         const search::MapperConfig& config)
      : m_arch(a), m_cascade(c), m_space(space), m_config(config) {}

  // A mapping: rejected with the rules' reason, else costed (an input fault
  // such as a model limit propagates; a run too long to time is this
  // mapping's fault and rejects it).
  Scored score_mapping(const mapping::CascadeMapping& m, sim::Stats* stats) const {
    const mapping::MappingStatus st = mapping::validate_cascade_mapping(m, m_cascade, m_arch);
    if (!st.ok) return {search::kInvalid, st.reason};
    sim::Stats s;
    try {
      s = sim::analytical::evaluate_cascade(m_arch, m_cascade, m).stats;
    } catch (const sim::CycleOverflow& e) {
      return {search::kInvalid, e.what()};  // this mapping's fault, not the problem's
    }
    if (stats) *stats = s;
    return {search::objective(s.cycles, s.energy_pj, m_config.latency_weight, m_config.energy_weight), ""};
  }

  Scored operator()(const CascadeGenome& g) const {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      auto it = m_seen.find(g);
      if (it != m_seen.end()) return it->second;
    }
    const Scored s = score_mapping(m_space.decode(g), nullptr);
    std::lock_guard<std::mutex> lock(m_mutex);
    m_seen.emplace(g, s);
    return s;
  }

 private:
  const arch::Architecture& m_arch;
  const workloads::Cascade& m_cascade;
  const CascadeSpace& m_space;
  const search::MapperConfig& m_config;
  mutable std::mutex m_mutex;
  mutable std::map<CascadeGenome, Scored> m_seen;
};

// The optimal search, then the seeds that lie outside its space: one that
// beats the optimum is returned as the best (from_seed), said so.
CascadeSearchResult optimal_with_seeds(const arch::Architecture& a, const workloads::Cascade& c,
                                       const search::MapperConfig& config, const CascadeSearchOptions& options,
                                       const search::ProgressFn& progress) {
  CascadeSearchResult out = optimal_cascade(a, c, config, options.constrain_to, progress);
  CascadeSpace space(a, c);
  const Scorer scorer(a, c, space, config);
  for (const auto& m : options.seeds) {
    sim::Stats s;
    const Scored sc = scorer.score_mapping(m, &s);
    if (sc.cost < out.cost) {
      out.cost = sc.cost;
      out.best = m;
      out.stats = s;
      out.from_seed = true;
    }
  }
  return out;
}

}  // namespace

CascadeSearchResult search_cascade(const arch::Architecture& a, const workloads::Cascade& c,
                                   const search::MapperConfig& config, const CascadeSearchOptions& options,
                                   const search::ProgressFn& progress) {
  if (config.algorithm == "optimal") return optimal_with_seeds(a, c, config, options, progress);
  CascadeSpace space(a, c);
  if (options.constrain_to) space.constrain_to(*options.constrain_to);
  const Scorer scorer(a, c, space, config);
  CascadeSearchResult out;
  double best = search::kInvalid;
  auto reject = [&](const std::string& why) {
    if (out.rejected++ == 0) out.first_reject = why;
  };

  // The seeds, costed as mappings (a seed need not be a point of the space);
  // those that are points are also where the search starts.
  std::vector<CascadeGenome> starts = space.natural_starts();
  std::vector<const mapping::CascadeMapping*> seeds;
  for (const auto& m : options.seeds) seeds.push_back(&m);
  if (options.constrain_to) seeds.push_back(options.constrain_to);
  for (const auto* m : seeds) {
    sim::Stats s;
    const Scored sc = scorer.score_mapping(*m, &s);
    if (!sc.reject.empty()) reject(sc.reject);
    if (sc.cost < best) {
      best = sc.cost;
      out.best = *m;
      out.stats = s;
      out.from_seed = true;
    }
    if (auto g = space.encode(*m)) starts.push_back(*g);
  }

  std::unique_ptr<search::CascadeSearch> search =
      search::make_search(space, config, search::derive_seed(config.seed, ("cascade " + config.algorithm).c_str()));
  CascadeGenome best_point;
  bool point_is_best = false;  // else a seed is, or nothing valid yet
  const search::BatchesRun run = search::run_batches<CascadeGenome, Scored>(
      *search, config, starts, scorer,
      [&](const CascadeGenome& g, const Scored& s) {
        if (!s.reject.empty()) reject(s.reject);
        if (s.cost < best) {
          best = s.cost;
          best_point = g;
          point_is_best = true;
        }
      },
      progress);
  out.evaluated = run.evaluated;
  out.valid = run.valid;
  out.stopped_by = run.stopped_by;
  out.seconds = run.seconds;
  if (point_is_best) {
    out.best = space.decode(best_point);
    scorer.score_mapping(out.best, &out.stats);
    out.from_seed = false;
  }
  if (best == search::kInvalid)
    throw UserError(c.loc, "the cascade search found no valid mapping of '" + c.name + "' on '" + a.name + "' (" +
                               std::to_string(out.rejected) + " candidates rejected; the first: " + out.first_reject +
                               ")");
  out.cost = best;
  return out;
}

}  // namespace einflow::cascade
