#include "mappers/search/search_output.h"

#include <cstdio>
#include <iomanip>
#include <sstream>

#include "common/files.h"
#include "mappers/mapping/mapping.h"
#include "sim/analytical/nest_model.h"
#include "sim/stats/stats_json.h"

namespace einflow::search {

namespace {

// top.csv's row of the candidate at `rank` (top list index k).
void csv_row(std::ostringstream& csv, size_t rank, size_t k, const Candidate& c, bool reranked,
             const CycleFigures* cycle, const std::string& file) {
  csv << rank + 1 << "," << std::setprecision(6) << std::scientific << c.cost << "," << c.cycles << ","
      << c.energy_pj << "," << std::fixed << c.utilization << ",";
  if (reranked) {
    csv << k + 1 << ",";
    if (cycle)
      csv << cycle->stats.cycles << "," << std::scientific << cycle->stats.energy_pj << std::fixed;
    else
      csv << ",";
    csv << ",";
  }
  csv << file << "\n";
}

}  // namespace

BestMapping write_einsum_search(const std::filesystem::path& dir, const arch::Architecture& a,
                                const workloads::Cascade& c, const std::string& variant, const EinsumSearch& s,
                                const std::vector<CycleFigures>& reranked) {
  const SearchResult& r = s.result;
  std::filesystem::create_directories(dir / "top");
  std::vector<size_t> order(r.top.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::map<size_t, const CycleFigures*> cycle;
  for (size_t k = 0; k < reranked.size(); ++k) {
    order[k] = reranked[k].index;
    cycle[reranked[k].index] = &reranked[k];
  }
  std::ostringstream csv;
  csv << "rank,cost,cycles,energy_pj,utilization,"
      << (reranked.empty() ? "" : "analytical_rank,cycle_model_cycles,cycle_model_energy_pj,") << "file\n";
  BestMapping best;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const size_t k = order[rank];
    mapping::Mapping m = s.space->to_mapping(r.top[k].genome);
    m.variant = variant;
    char file[32];
    std::snprintf(file, sizeof file, "top/%02zu.yaml", rank + 1);
    const std::string text = mapping::write_mapping(m, c, a);
    write_file_atomic((dir / file).string(), text);
    if (rank == 0) {
      write_file_atomic((dir / "mapping.yaml").string(), text);
      best.stats = sim::analytical::evaluate_mapping(a, c, m);
      nlohmann::json j = sim::stats_json(best.stats);
      j["einsum"] = m.einsum_name;
      j["evaluated"] = r.evaluated;
      j["valid"] = r.valid;
      j["search_seconds"] = r.seconds;
      if (cycle.count(k))
        j["cycle_model"] = {{"cycles", cycle[k]->stats.cycles},
                            {"energy_pj", cycle[k]->stats.energy_pj},
                            {"stalls", cycle[k]->stalls},
                            {"analytical_rank", k + 1}};
      write_file_atomic((dir / "stats.json").string(), j.dump(2) + "\n");
      best.mapping = m;
    }
    csv_row(csv, rank, k, r.top[k], !reranked.empty(), cycle.count(k) ? cycle[k] : nullptr, file);
  }
  write_file_atomic((dir / "top.csv").string(), csv.str());
  return best;
}

}  // namespace einflow::search
