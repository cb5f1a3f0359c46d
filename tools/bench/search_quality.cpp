// Single-Einsum search quality (issue 21): how close each search gets to the
// best EDP of the mapspace, and how fast, on one core.
//
// Per case (a workload of tools/bench/data on the Eyeriss-like preset):
// - the reference: the best EDP any search finds with `factor` times the
//   timed budget (each algorithm, seed 99, `factor` x `seconds` on one thread),
//   or the one given in a reference file (a previous run's output);
// - per algorithm and seed 1..runs: a search limited to `seconds` on one
//   thread, and the time (and evaluations) it took to come within 1.10x and
//   1.01x of the reference, and the ratio of its best to the reference at the end.
//
// Run (what tools/bench/search_quality.sh does):
//   einflow_bench_search_quality [--seconds 1] [--factor 100] [--runs 5]
//     [--cases conv-resnet,matmul-1024] [--algorithms descent,annealing,genetic,random]
//     [--reference FILE.csv] [--out DIR] [--evaluations N] [--first-seed S]
// --evaluations N limits each run to N evaluations instead of `seconds`: the
// results no longer depend on the machine's speed or load (to compare two
// versions of a search); --first-seed S runs seeds S..S+runs-1.
// writes DIR/reference.csv (case, edp, algorithm, seconds) and DIR/quality.csv
// (one row per case, algorithm and seed), and prints a summary per case and algorithm.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "arch/arch.h"
#include "mappers/search/driver.h"
#include "mappers/search/search.h"
#include "workloads/workload.h"

namespace {

using namespace einflow;

const std::string kRoot = std::string(EINFLOW_SOURCE_DIR);

struct Options {
  double seconds = 1;
  double factor = 100;
  int runs = 5;
  int64_t evaluations = 0;  // > 0: each run stops after this many evaluations, not after `seconds`
  int first_seed = 1;
  std::vector<std::string> cases = {"conv-resnet50-conv2", "conv-resnet",        "conv-resnet50-conv4",
                                    "conv-resnet50-conv5", "conv-vgg16-conv2_2", "conv-vgg16-conv3_2",
                                    "conv-vgg16-conv4_2",  "conv-vgg16-conv5_2", "matmul-1024"};
  std::vector<std::string> algorithms = {"descent", "annealing", "genetic", "random"};
  std::string reference;
  std::string out = "search-quality";
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

[[noreturn]] void usage(int code) {
  std::fprintf(code ? stderr : stdout,
               "usage: einflow_bench_search_quality [--seconds S] [--factor F] [--runs N] [--evaluations N]\n"
               "         [--first-seed S] [--cases A,B] [--algorithms A,B] [--reference FILE.csv] [--out DIR]\n");
  std::exit(code);
}

// The whole of `value` as a number (no trailing text: "650k" is refused, not read as 650).
template <class T>
T number(const std::string& key, const std::string& value) {
  size_t used = 0;
  T v{};
  try {
    if constexpr (std::is_floating_point_v<T>) {
      v = static_cast<T>(std::stod(value, &used));
    } else {
      v = static_cast<T>(std::stoll(value, &used));
    }
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size()) {
    std::fprintf(stderr, "%s: not a number: '%s'\n", key.c_str(), value.c_str());
    std::exit(2);
  }
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--help" || key == "-h") usage(0);
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s: needs a value\n", key.c_str());
      usage(2);
    }
    const std::string value = argv[i + 1];
    if (key == "--seconds") o.seconds = number<double>(key, value);
    else if (key == "--factor") o.factor = number<double>(key, value);
    else if (key == "--runs") o.runs = number<int>(key, value);
    else if (key == "--evaluations") o.evaluations = number<int64_t>(key, value);
    else if (key == "--first-seed") o.first_seed = number<int>(key, value);
    else if (key == "--cases") o.cases = split(value);
    else if (key == "--algorithms") o.algorithms = split(value);
    else if (key == "--reference") o.reference = value;
    else if (key == "--out") o.out = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      usage(2);
    }
  }
  return o;
}

struct Problem {
  arch::Architecture arch;
  workloads::Cascade cascade;
  int unit = -1;
};

Problem load(const std::string& name) {
  Problem p;
  p.arch = arch::load_arch(kRoot + "/configs/arch/eyeriss-like.yaml");
  p.cascade = workloads::load_workload(kRoot + "/tools/bench/data/" + name + ".yaml").variants.front().cascade;
  p.unit = p.arch.compute_units().front();
  return p;
}

search::MapperConfig config(const std::string& algorithm, double seconds, uint64_t seed) {
  search::MapperConfig c;
  c.algorithm = algorithm;
  c.max_evaluations = 0;
  c.max_seconds = seconds;
  c.threads = 1;
  c.seed = seed;
  return c;
}

struct Reference {
  double edp = search::kInvalid;
  std::string algorithm;
  double seconds = 0;  // each reference search's budget
};

std::map<std::string, Reference> read_reference(const std::string& path) {
  std::map<std::string, Reference> out;
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "%s: cannot read the reference file\n", path.c_str());
    std::exit(2);
  }
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto cells = split(line);
    if (cells.size() >= 4)
      out[cells[0]] = {number<double>(path, cells[1]), cells[2], number<double>(path, cells[3])};
  }
  return out;
}

Reference reference(const Problem& p, const Options& o) {
  Reference best;
  for (const auto& algo : o.algorithms) {
    search::MapperConfig c = config(algo, o.factor * o.seconds, 99);
    search::Mapspace space(p.arch, p.cascade, 0, p.unit, c);
    const search::SearchResult r = search::run_search(space, c);
    std::printf("  reference %-10s %.6g  (%lld evaluations)\n", algo.c_str(), r.top.empty() ? -1.0 : r.top[0].cost,
                static_cast<long long>(r.evaluated));
    if (!r.top.empty() && r.top[0].cost < best.edp) best = {r.top[0].cost, algo, o.factor * o.seconds};
  }
  return best;
}

struct Timed {
  double to110_s = -1, to101_s = -1;
  int64_t to110_evals = -1, to101_evals = -1, evaluated = 0;
  double ratio = 0;  // best found / reference
};

Timed timed_run(const Problem& p, const std::string& algo, uint64_t seed, const Options& o, double ref) {
  search::MapperConfig c = config(algo, o.evaluations > 0 ? 0 : o.seconds, seed);
  if (o.evaluations > 0) c.max_evaluations = o.evaluations;
  search::Mapspace space(p.arch, p.cascade, 0, p.unit, c);
  Timed t;
  search::ProgressFn progress = [&](const search::Progress& pr) {
    if (t.to110_s < 0 && pr.best_cost <= 1.10 * ref) {
      t.to110_s = pr.seconds;
      t.to110_evals = pr.evaluated;
    }
    if (t.to101_s < 0 && pr.best_cost <= 1.01 * ref) {
      t.to101_s = pr.seconds;
      t.to101_evals = pr.evaluated;
    }
  };
  const search::SearchResult r = search::run_search(space, c, progress);
  t.evaluated = r.evaluated;
  t.ratio = r.top.empty() ? search::kInvalid : r.top[0].cost / ref;
  return t;
}

std::string seconds_or_dash(double s) {
  if (s < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::filesystem::create_directories(o.out);
  std::map<std::string, Reference> refs;
  if (!o.reference.empty()) refs = read_reference(o.reference);
  std::ofstream ref_csv(o.out + "/reference.csv");
  ref_csv << std::setprecision(12) << "case,edp,algorithm,seconds\n";
  std::ofstream csv(o.out + "/quality.csv");
  csv << "case,algorithm,seed,seconds,evaluated,ratio,to_1.10x_s,to_1.10x_evals,to_1.01x_s,to_1.01x_evals\n";
  for (const auto& name : o.cases) {
    const Problem p = load(name);
    std::printf("%s\n", name.c_str());
    if (!refs.count(name)) refs[name] = reference(p, o);
    const Reference& ref = refs[name];
    ref_csv << name << "," << ref.edp << "," << ref.algorithm << "," << ref.seconds << "\n";
    std::printf("  reference EDP %.6g (%s)\n", ref.edp, ref.algorithm.c_str());
    for (const auto& algo : o.algorithms) {
      int hits110 = 0, hits101 = 0;
      double sum110 = 0, sum101 = 0, worst = 0;
      for (int seed = o.first_seed; seed < o.first_seed + o.runs; ++seed) {
        const Timed t = timed_run(p, algo, static_cast<uint64_t>(seed), o, ref.edp);
        const double limit_s = o.evaluations > 0 ? 0.0 : o.seconds;  // 0: no time limit
        csv << name << "," << algo << "," << seed << "," << limit_s << "," << t.evaluated << "," << t.ratio << ","
            << t.to110_s << "," << t.to110_evals << "," << t.to101_s << "," << t.to101_evals << "\n";
        if (t.to110_s >= 0) ++hits110, sum110 += t.to110_s;
        if (t.to101_s >= 0) ++hits101, sum101 += t.to101_s;
        worst = std::max(worst, t.ratio);
      }
      std::printf("  %-10s to 1.10x: %d/%d runs, mean %s s; to 1.01x: %d/%d runs, mean %s s; worst final %.4fx\n",
                  algo.c_str(), hits110, o.runs, seconds_or_dash(hits110 ? sum110 / hits110 : -1).c_str(), hits101,
                  o.runs, seconds_or_dash(hits101 ? sum101 / hits101 : -1).c_str(), worst);
      std::fflush(stdout);
    }
  }
  return 0;
}
