// A sweep description (SWEEP.yaml) and its expansion into points.
//
//   sweep:
//     name: iso-area
//     base: {arch: A.yaml, workload: W.yaml, set: {workload.instance.batch: 64}}
//     axes:                                  # each axis: key + values | range | log_range
//       - {key: workload.instance.seq_len, log_range: {from: 1K, to: 16K, factor: 4}}
//       - zip:                               # keys that move together form one axis
//           - {key: arch.PE2D.mesh.x, values: [64, 128]}
//           - {key: arch.GlobalBuffer.size_bytes, values: [8M, 4M]}
//     combine: grid                          # grid (every combination) or zip (axes side by side)
//     filters: ["area_um2 <= 5e11"]          # a point must satisfy every one
//     designs:                               # evaluated at every combination
//       - {name: fusemax, design: fusemax}   # a named design,
//       - {name: searched, mapper: M.yaml}   # a mapper search (fuse: true for the cascade search),
//       - {name: mine, mapping: MAP.yaml}    # or a mapping file; arch/set/variant per design
//     metrics: [cycles, energy_pj]           # the report's columns
//     mode: analytical                       # analytical, cycle, or rerank (search, then cycle
//     model on the top K) rerank: 4 seed: 1 report: {baseline: flat, x: workload.instance.seq_len,
//     pareto: [area_um2, cycles], by: [workload], lines: [workload], per_token: true}
//     measured: M.csv                        # measured times joined to the points (measured.h)
//
// Keys: `arch.KEY` (under `architecture:`; `arch.NODE.KEY` for a node of the
// tree by name), `workload.KEY`, `mapper.KEY` (a mapper design's config),
// `design.NAME.KEY` (a parameter of the sweep's named design NAME, e.g.
// FLAT's query_tile per sequence length), and `arch` / `workload` alone for
// the file itself. A named design's `params:` are its parameters' base values.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/yaml_node.h"

namespace einflow::sweep {

struct AxisKey {
  std::string key;
  std::vector<std::string> values;  // YAML text, one per step
  SourceLoc loc;
};

// One axis of the grid: one key, or several zipped keys of equal length.
struct Axis {
  std::vector<AxisKey> keys;
  size_t size() const { return keys.empty() ? 0 : keys.front().values.size(); }
};

struct DesignSpec {
  enum class Kind { kNamed, kMapping, kMapper, kBound };
  std::string name;
  Kind kind = Kind::kNamed;
  std::string named;      // kNamed: the design's name (mappers/named)
  std::string file;       // kMapping / kMapper: the file, resolved
  bool fuse = false;      // kMapper: the cascade search instead of one search per Einsum
  int64_t devices = 1;    // kBound: tensor-parallel devices of the deployment
  std::string variant;    // the workload variant ("" = the design's own, else the first)
  std::string arch_file;  // "" = the base architecture
  std::vector<std::pair<std::string, std::string>> sets;  // overrides for this design only
  YamlNode params;        // kNamed: the design's parameters (undefined: none)
  SourceLoc loc;
};

class Filter;  // filter.h

struct ReportSpec {
  std::string baseline;             // design the ratios are taken against ("" = the first)
  std::string x;                    // axis key plotted along x ("" = the first axis)
  std::vector<std::string> pareto;  // two metrics (both minimised)
  std::vector<std::string> by;      // axis keys the summary is split by (e.g. the scope)
  std::vector<std::string> lines;   // axis keys drawn as lines of one plot, not separate plots
  bool per_token = false;           // metric plots per token (batch x tokens of the step)
};

struct SweepSpec {
  std::string name;
  std::string file;
  std::string arch_file, workload_file;
  std::vector<std::pair<std::string, std::string>> sets;
  std::vector<Axis> axes;
  bool zip = false;
  std::vector<std::shared_ptr<const Filter>> filters;
  std::vector<DesignSpec> designs;
  std::vector<std::string> metrics;
  std::string mode = "analytical";
  int rerank = 4;
  uint64_t seed = 1;
  ReportSpec report;
  std::string measured_file;  // `measured:` (measured.h), resolved; "" = none
  std::string text;  // the file as written (kept beside the results)
};

// The metrics a sweep can keep, as named in SWEEP.yaml and in reports.
const std::vector<std::string>& known_metrics();
// Those with one number per point (what a Pareto front and a plot axis take).
const std::vector<std::string>& scalar_metrics();

// Reads and validates; a UserError lists every problem with file:line:col.
SweepSpec read_sweep(const std::string& path);

// One point: a combination of axis values and a design, resolved.
struct Point {
  int64_t index = 0;  // among the points kept, in expansion order
  std::vector<std::pair<std::string, std::string>> axes;
  const DesignSpec* design = nullptr;  // in the spec, which must outlive the point
  std::string arch_file, workload_file;
  YamlNode arch_doc, workload_doc, mapper_doc;  // with every override applied
  YamlNode design_doc;                          // a named design's parameters, overrides applied
  std::string config_hash;                      // 16 hex digits
};

struct Expansion {
  std::vector<Point> points;
  int64_t filtered = 0;    // combinations a filter rejected (times designs)
  int64_t duplicates = 0;  // points whose resolved configuration repeats an earlier one
};

// Expands the axes (grid or zip) times the designs, applies the filters and
// drops repeated configurations. A key that does not resolve is a UserError at
// the axis. Deterministic: the same spec gives the same points and hashes.
Expansion expand(const SweepSpec& spec);

// An axis value's YAML text without its quotes ("'a.yaml'" -> "a.yaml").
std::string unquoted(const std::string& yaml_text);

// FNV-1a, 64 bits, as 16 hex digits.
std::string hash_hex(const std::string& text);

}  // namespace einflow::sweep
