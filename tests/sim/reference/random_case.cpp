// Random small cases, written as YAML and loaded by einflow's own readers,
// and their comparison (random_case.h).
#include "tests/sim/reference/random_case.h"

#include <algorithm>
#include <exception>
#include <map>
#include <sstream>

#include "arch/arch.h"
#include "mappers/mapping/cascade_mapping.h"
#include "mappers/mapping/mapping.h"
#include "sim/cycle/cascade_sim.h"
#include "sim/cycle/nest_sim.h"
#include "tests/sim/reference/reference.h"
#include "workloads/workload.h"

namespace einflow::reference {

namespace {

template <class T>
T pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}
bool coin(std::mt19937_64& rng, double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> d;
  for (int64_t i = 1; i <= n; ++i)
    if (n % i == 0) d.push_back(i);
  return d;
}

struct Workload {
  std::string text;
  std::vector<std::string> ranks;  // iteration ranks
  std::map<std::string, int64_t> size;
  std::vector<std::string> inputs;
  std::string output = "Z";
};

// The Einsums drawn from: matmul, row sums, dot products, a sliding window
// (its input's extent H = P + R - 1), an element-wise sum.
struct Kind {
  std::vector<std::string> ranks, inputs;
  const char* declared;  // the inputs: line
  const char* einsum;
};
const Kind kKinds[] = {
    {{"M", "N", "K"}, {"A", "B"}, "{A: [M, K], B: [K, N]}", "Z[m, n] = A[m, k] * B[k, n]"},
    {{"P", "M"}, {"A"}, "{A: [P, M]}", "Z[p] = A[p, m]"},
    {{"P", "M"}, {"A", "B"}, "{A: [M, P], B: [M, P]}", "Z[p] = A[m, p] * B[m, p]"},
    {{"P", "R"}, {"I", "W"}, "{W: [R], I: [H]}", "Z[p] = I[p+r] * W[r]"},
    {{"M", "N"}, {"A", "B"}, "{A: [M, N], B: [M, N]}", "Z[m, n] = A[m, n] + B[m, n]"},
};

Workload random_workload(std::mt19937_64& rng) {
  const Kind& k = kKinds[std::uniform_int_distribution<size_t>(0, std::size(kKinds) - 1)(rng)];
  Workload w;
  w.ranks = k.ranks;
  w.inputs = k.inputs;
  std::ostringstream o;
  o << "cascade:\n  name: random\n  ranks: {";
  for (size_t i = 0; i < k.ranks.size(); ++i)
    o << (i ? ", " : "") << k.ranks[i] << ": " << (w.size[k.ranks[i]] = pick<int64_t>(rng, {1, 2, 3, 4, 6, 8}));
  if (w.size.count("R")) o << ", H: " << w.size["P"] + w.size["R"] - 1;
  o << "}\n  inputs: " << k.declared << "\n  einsums:\n    - " << k.einsum << "\n";
  w.text = o.str();
  return w;
}

std::string number(double x) {
  std::ostringstream o;
  o << x;
  return o.str();
}

// The buffer's ports and banks, drawn.
std::string buffer_ports(std::mt19937_64& rng, int& banks) {
  std::ostringstream o;
  const std::vector<double> bw{0, 0, 1, 2, 3, 0.5};
  const double rb = pick(rng, bw), wb = pick(rng, bw);
  if (rb > 0) o << "        read_bandwidth: " << number(rb) << "\n";
  if (wb > 0) o << "        write_bandwidth: " << number(wb) << "\n";
  banks = 1;
  if (coin(rng, 0.5)) {
    banks = pick<int>(rng, {1, 2, 4, 8});
    o << "        banks: " << banks << "\n";
    if (coin(rng, 0.3))
      o << "        read_ports_per_bank: " << pick<int>(rng, {1, 2}) << "\n        write_ports_per_bank: "
        << pick<int>(rng, {1, 2}) << "\n";
    else
      o << "        ports_per_bank: " << pick<int>(rng, {1, 2}) << "\n";
  }
  o << "        access_latency_cycles: " << pick<int>(rng, {0, 0, 1, 2}) << "\n";
  return o.str();
}

std::string unit_ops(std::mt19937_64& rng, const std::string& indent) {
  std::ostringstream o;
  o << indent << "ops:\n";
  for (const char* op : {"mac", "add", "mul"})
    o << indent << "  " << op << ": {latency: " << pick<int>(rng, {1, 1, 2, 3}) << "}\n";
  return o.str();
}

// Splits `size` into a factor per slot, at random.
std::vector<int64_t> split(std::mt19937_64& rng, int64_t size, size_t slots, const std::vector<int64_t>& cap) {
  std::vector<int64_t> f(slots, 1);
  std::vector<size_t> order(slots);
  for (size_t i = 0; i < slots; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (size_t i : order) {
    std::vector<int64_t> ok;
    for (int64_t d : divisors(size))
      if (d <= cap[i]) ok.push_back(d);
    f[i] = pick(rng, ok);
    size /= f[i];
  }
  // What is left goes to the first temporal slot (slot 0: the DRAM's loops).
  f[0] *= size;
  return f;
}

std::string loops(const std::vector<std::pair<std::string, int64_t>>& ls, bool spatial) {
  std::ostringstream o;
  o << "[";
  bool first = true;
  for (const auto& [r, f] : ls) {
    if (f == 1) continue;
    o << (first ? "" : ", ") << "{" << r << ": " << f << (spatial ? ", axis: x" : "") << "}";
    first = false;
  }
  o << "]";
  return o.str();
}

}  // namespace

RandomCase random_nest_case(std::mt19937_64& rng) {
  const Workload w = random_workload(rng);
  const bool lanes = coin(rng, 0.6);
  const int64_t mesh = pick<int64_t>(rng, {1, 2, 4});
  RandomCase c;
  c.workload = w.text;
  int banks = 1;
  std::ostringstream a;
  a << "architecture:\n  name: random\n  clock_mhz: 1000\n  word_bits: 16\n  tree:\n    name: DRAM\n    class: dram\n"
    << "    bandwidth_gbps: " << pick<int>(rng, {0, 1, 2, 4, 8}) << "\n    children:\n"
    << "      - name: Buffer\n        class: sram\n        size_words: " << pick<int>(rng, {4096, 4096, 64, 32, 16})
    << "\n"
    << buffer_ports(rng, banks) << "        multicast: " << (coin(rng, 0.8) ? "true" : "false") << "\n        children:\n";
  if (lanes) {
    a << "          - name: Lane\n            class: regfile\n            size_words: " << pick<int>(rng, {64, 16, 8})
      << "\n            mesh: {x: " << mesh << "}\n";
    if (coin(rng, 0.5)) a << "            noc_bandwidth: " << pick<int>(rng, {1, 2}) << "\n";
    if (coin(rng, 0.3)) a << "            noc_latency_cycles: " << pick<int>(rng, {1, 2}) << "\n";
    if (coin(rng, 0.3)) a << "            read_bandwidth: " << pick<int>(rng, {1, 2}) << "\n";
    a << "            children:\n              - name: Unit\n                class: compute\n"
      << unit_ops(rng, "                ");
  } else {
    a << "          - name: Unit\n            class: compute\n            mesh: {x: " << mesh << "}\n"
      << unit_ops(rng, "            ");
  }
  c.arch = a.str();
  // Factors: DRAM temporal, Buffer temporal, Buffer spatial, Lane temporal.
  std::map<int, std::vector<std::pair<std::string, int64_t>>> slot;
  int64_t room = mesh;
  for (const std::string& r : w.ranks) {
    const std::vector<int64_t> f = split(rng, w.size.at(r), 4, {64, 64, room, lanes ? 64 : 1});
    room /= f[2];
    for (int i = 0; i < 4; ++i) slot[i].push_back({r, f[static_cast<size_t>(i)]});
  }
  for (int i : {0, 1, 3}) std::shuffle(slot[i].begin(), slot[i].end(), rng);
  std::ostringstream m;
  m << "mapping:\n  einsum: Z\n  levels:\n    - target: DRAM\n      temporal: " << loops(slot[0], false)
    << "\n    - target: Buffer\n      temporal: " << loops(slot[1], false) << "\n      spatial: " << loops(slot[2], true)
    << "\n";
  // Layout in the buffer's banks, and what each level holds.
  std::vector<std::string> first_bank;
  for (const std::string& t : w.inputs)
    if (banks > 1 && coin(rng, 0.3))
      first_bank.push_back(t + ": " + std::to_string(std::uniform_int_distribution<int>(1, banks - 1)(rng)));
  if (!first_bank.empty()) {
    m << "      first_bank: {";
    for (size_t i = 0; i < first_bank.size(); ++i) m << (i ? ", " : "") << first_bank[i];
    m << "}\n";
  }
  std::vector<std::string> lane_bypass;
  if (lanes) {
    std::vector<std::string> buffer_bypass;
    for (const std::string& t : w.inputs) {
      if (coin(rng, 0.2)) buffer_bypass.push_back(t);
      else if (coin(rng, 0.3)) lane_bypass.push_back(t);
    }
    if (coin(rng, 0.3)) lane_bypass.push_back(w.output);
    if (!buffer_bypass.empty()) {
      m << "      bypass: [";
      for (size_t i = 0; i < buffer_bypass.size(); ++i) m << (i ? ", " : "") << buffer_bypass[i];
      m << "]\n";
    }
    m << "    - target: Lane\n      temporal: " << loops(slot[3], false) << "\n";
    if (!lane_bypass.empty()) {
      m << "      bypass: [";
      for (size_t i = 0; i < lane_bypass.size(); ++i) m << (i ? ", " : "") << lane_bypass[i];
      m << "]\n";
    }
  }
  c.mapping = m.str();
  return c;
}

RandomCase random_group_case(std::mt19937_64& rng) {
  RandomCase c;
  c.cascade = true;
  int banks = 1;
  const int64_t M = pick<int64_t>(rng, {2, 4, 6, 8, 12, 16}), K = pick<int64_t>(rng, {1, 2, 3, 4});
  const bool three = coin(rng, 0.5);
  std::ostringstream w;
  w << "cascade:\n  name: chain\n  ranks: {M: " << M << ", K: " << K << "}\n";
  if (three)
    w << "  inputs: {A: [M, K], B: [M], C: [M, K]}\n  einsums:\n    - X[m] = A[m, k]\n    - Y[m] = X[m] * B[m]\n"
      << "    - Z[m] = Y[m] + C[m, k]\n";
  else
    w << "  inputs: {A: [M, K], C: [M, K]}\n  einsums:\n    - X[m] = A[m, k]\n    - Z[m] = X[m] + C[m, k]\n";
  c.workload = w.str();
  std::ostringstream a;
  a << "architecture:\n  name: two-units\n  clock_mhz: 1000\n  word_bits: 16\n  tree:\n    name: DRAM\n"
    << "    class: dram\n    bandwidth_gbps: " << pick<int>(rng, {0, 1, 2, 4, 8}) << "\n    children:\n"
    << "      - name: Buffer\n        class: sram\n        size_words: 4096\n"
    << buffer_ports(rng, banks) << "        children:\n";
  for (const char* u : {"UnitA", "UnitB"})
    a << "          - name: " << u << "\n            class: compute\n" << unit_ops(rng, "            ");
  c.arch = a.str();
  const std::vector<int64_t> fs = divisors(M);
  const int64_t f = pick(rng, std::vector<int64_t>(fs.begin() + (fs.size() > 1 ? 1 : 0), fs.end()));
  std::ostringstream m;
  m << "cascade_mapping:\n  groups:\n    - shared: [{M: " << f << "}]\n      retain: Buffer\n";
  if (coin(rng, 0.7)) m << "      pipeline: M\n";
  m << "      tiles:\n";
  const std::vector<std::string> names = three ? std::vector<std::string>{"X", "Y", "Z"} : std::vector<std::string>{"X", "Z"};
  for (size_t i = 0; i < names.size(); ++i) {
    std::vector<std::pair<std::string, int64_t>> ls{{"M", M / f}};
    if (names[i] != "Y") ls.push_back({"K", K});
    std::shuffle(ls.begin(), ls.end(), rng);
    m << "        - einsum: " << names[i] << "\n          compute: " << (i % 2 ? "UnitB" : "UnitA")
      << "\n          levels:\n            - target: DRAM\n            - target: Buffer\n              temporal: "
      << loops(ls, false) << "\n";
  }
  c.mapping = m.str();
  return c;
}

bool is_cascade_mapping(const std::string& yaml) {
  return yaml.rfind("cascade_mapping:", 0) == 0 || yaml.find("\ncascade_mapping:") != std::string::npos;
}

Comparison compare(const RandomCase& rc) {
  Comparison out;
  try {
    const arch::Architecture a = arch::load_arch_text(rc.arch, "random-arch.yaml");
    const workloads::Cascade c =
        workloads::load_workload_text(rc.workload, "random-workload.yaml").variants.front().cascade;
    Result ref;
    sim::cycle::SimOptions o;
    o.functional = false;
    sim::Stats model;
    if (rc.cascade) {
      const mapping::CascadeMapping m = mapping::load_cascade_mapping_text(rc.mapping, "random-map.yaml", c, a);
      if (!mapping::validate_cascade_mapping(m, c, a).ok) return out;
      out.valid = true;
      model = sim::cycle::simulate_cascade(a, c, m, {}, o).stats;
      ref = simulate_group(a, c, m, model.cycles);
    } else {
      const mapping::Mapping m = mapping::load_mapping_text(rc.mapping, "random-map.yaml", c, a);
      if (!mapping::validate_mapping(m, c, a).ok) return out;
      out.valid = true;
      model = sim::cycle::simulate_mapping(a, c, m, {}, o).stats;
      ref = simulate_nest(a, c, m, model.cycles);
    }
    out.model = model.cycles;
    out.reference = ref.cycles;
    out.fixed_reference = ref.fixed_cycles;
    out.arbitration = ref.arbitration;
    std::map<std::pair<std::string, std::string>, Counts> got;
    for (const auto& l : model.per_level)
      for (const auto& t : l.tensors) {
        const Counts k{t.accesses.reads, t.accesses.fills, t.accesses.updates};
        if (k.reads || k.fills || k.updates) got[{l.name, t.tensor}] = k;
      }
    for (const auto* side : {&got, &ref.counts})
      for (const auto& [key, k] : *side) {
        const Counts x = got.count(key) ? got.at(key) : Counts{};
        const Counts y = ref.counts.count(key) ? ref.counts.at(key) : Counts{};
        if (!(x == y) && (side == &got || !got.count(key)))
          out.count_differences.push_back(key.first + " " + key.second + ": model " + std::to_string(x.reads) + "/" +
                                          std::to_string(x.fills) + "/" + std::to_string(x.updates) +
                                          " reference " + std::to_string(y.reads) + "/" + std::to_string(y.fills) +
                                          "/" + std::to_string(y.updates));
      }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace einflow::reference
