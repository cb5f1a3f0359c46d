// Metrics against the x axis as lines (a line per design and value of the
// report's `lines` axes, per token when asked) and where those lines cross:
// the sequence-mixer study's latency, energy, traffic and footprint per token
// against the sequence length.
#include <algorithm>
#include <cmath>

#include "common/text.h"
#include "common/yaml_node.h"
#include "tools/sweep/spec.h"
#include "tools/report/report.h"

namespace einflow::report {

namespace {

// Tokens a record's step computes: batch x sequence length in prefill, the
// batch in decode; 0 without an instance.
double tokens(const sweep::Record& r) {
  if (!r.has_instance()) return 0;
  const auto& in = r.instance();
  return static_cast<double>(in.batch()) * (in.phase() == "decode" ? 1.0 : static_cast<double>(in.seq_len()));
}

bool is_line_axis(const ReportData& d, const std::string& k) {
  return std::find(d.lines.begin(), d.lines.end(), k) != d.lines.end();
}

}  // namespace

std::optional<double> axis_number(const std::string& x) {
  if (auto i = parse_int_with_suffix(x)) return static_cast<double>(*i);
  return parse_double(x);
}

namespace {

// numeric and wide from the x values as numbers (NaN: not a number).
XScale scale_of(std::vector<std::string> xs, const std::vector<double>& numbers, bool numeric) {
  XScale s;
  s.xs = std::move(xs);
  s.numeric = numeric && !numbers.empty();
  double lo = INFINITY, hi = 0;
  for (double x : numbers) {
    s.numeric = s.numeric && !std::isnan(x) && x > 0;
    if (!std::isnan(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  }
  s.wide = s.numeric && hi / lo >= 8;
  return s;
}

}  // namespace

XScale x_scale(const ReportData& d, const std::vector<size_t>& members) {
  std::vector<std::string> xs;
  for (size_t i : members) {
    const std::string v = d.x.empty() ? "" : axis_value(d.records[i], d.x);
    if (std::find(xs.begin(), xs.end(), v) == xs.end()) xs.push_back(v);
  }
  std::vector<double> numbers;
  for (const auto& x : xs) numbers.push_back(axis_number(x).value_or(NAN));
  return scale_of(std::move(xs), numbers, !d.x.empty());
}

XScale x_scale(const MetricLines& m) { return scale_of(m.xs, m.x_numbers, true); }

std::vector<std::string> line_metrics(const ReportData& d) {
  std::vector<std::string> out;
  for (const auto& m : d.metrics)
    if (m != "area_um2" && std::find(sweep::scalar_metrics().begin(), sweep::scalar_metrics().end(), m) !=
                               sweep::scalar_metrics().end())
      out.push_back(m);
  return out;
}

bool per_token(const ReportData& d, const std::string& metric) {
  return d.per_token && metric != "onchip_bytes";
}

std::string metric_label(const std::string& m, bool per_token) {
  std::string l = m == "seconds"        ? "latency (s)"
                  : m == "energy_pj"    ? "energy (pJ)"
                  : m == "dram_bytes"   ? "DRAM traffic (bytes)"
                  : m == "onchip_bytes" ? "on-chip footprint (bytes)"
                                        : m;
  return per_token ? l + " per token" : l;
}

std::vector<MetricLines> metric_lines(const ReportData& d, const std::string& which) {
  std::vector<MetricLines> out;
  for (size_t i = 0; i < d.records.size(); ++i) {
    const sweep::Record& r = d.records[i];
    if (r.status() != results::OK) continue;
    std::vector<std::string> group, line;
    for (const auto& k : d.axis_keys) {
      if (k == d.x) continue;
      (is_line_axis(d, k) ? line : group).push_back(d.labels.at(k) + " " + axis_value(r, k));
    }
    line.insert(line.begin(), r.design());
    const std::string g = join(group, ", "), line_name = join(line, ", ");
    auto it = std::find_if(out.begin(), out.end(), [&](const MetricLines& m) { return m.title == g; });
    if (it == out.end()) {
      out.push_back({g, g.empty() ? "" : "-" + slug(g), {}, {}, {}, {}});
      it = out.end() - 1;
    }
    const std::string x = d.x.empty() ? "" : axis_value(r, d.x);
    auto xi = std::find(it->xs.begin(), it->xs.end(), x);
    if (xi == it->xs.end()) {
      it->xs.push_back(x);
      it->x_numbers.push_back(axis_number(x).value_or(NAN));
      for (auto& v : it->values) v.push_back(NAN);
      xi = it->xs.end() - 1;
    }
    auto li = std::find(it->names.begin(), it->names.end(), line_name);
    if (li == it->names.end()) {
      it->names.push_back(line_name);
      it->values.push_back(std::vector<double>(it->xs.size(), NAN));
      li = it->names.end() - 1;
    }
    double v = metric(r, which);
    if (per_token(d, which)) v = tokens(r) > 0 ? v / tokens(r) : NAN;
    it->values[static_cast<size_t>(li - it->names.begin())][static_cast<size_t>(xi - it->xs.begin())] = v;
  }
  // x in increasing order when numeric.
  for (auto& m : out) {
    std::vector<size_t> order(m.xs.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    if (std::all_of(m.x_numbers.begin(), m.x_numbers.end(), [](double x) { return !std::isnan(x); }))
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return m.x_numbers[a] < m.x_numbers[b]; });
    MetricLines s = m;
    for (size_t k = 0; k < order.size(); ++k) {
      s.xs[k] = m.xs[order[k]];
      s.x_numbers[k] = m.x_numbers[order[k]];
      for (size_t l = 0; l < m.values.size(); ++l) s.values[l][k] = m.values[l][order[k]];
    }
    m = std::move(s);
  }
  return out;
}

std::vector<Crossover> crossovers(const ReportData& d) {
  std::vector<Crossover> out;
  for (const auto& metric : line_metrics(d))
    for (const MetricLines& m : metric_lines(d, metric))
      for (size_t a = 0; a < m.names.size(); ++a)
        for (size_t b = a + 1; b < m.names.size(); ++b)
          for (size_t k = 0; k + 1 < m.xs.size(); ++k) {
            const double a0 = m.values[a][k], a1 = m.values[a][k + 1], b0 = m.values[b][k], b1 = m.values[b][k + 1];
            if (std::isnan(a0) || std::isnan(a1) || std::isnan(b0) || std::isnan(b1)) continue;
            if (!((a0 < b0 && a1 > b1) || (a0 > b0 && a1 < b1))) continue;
            Crossover c;
            c.group = m.title;
            c.metric = metric;
            c.low_first = a0 < b0 ? m.names[a] : m.names[b];
            c.high_first = a0 < b0 ? m.names[b] : m.names[a];
            c.x_before = m.xs[k];
            c.x_after = m.xs[k + 1];
            // log(a/b) moves linearly in log x between the two points.
            const double x0 = m.x_numbers[k], x1 = m.x_numbers[k + 1];
            const bool logs = a0 > 0 && a1 > 0 && b0 > 0 && b1 > 0 && x0 > 0 && x1 > 0;
            if (logs) {
              const double r0 = std::log(a0 / b0), r1 = std::log(a1 / b1);
              const double t = r0 / (r0 - r1);
              c.x_estimate = std::exp(std::log(x0) + t * (std::log(x1) - std::log(x0)));
            } else {
              c.x_estimate = std::isnan(x0) || std::isnan(x1) ? NAN : (x0 + x1) / 2;
            }
            out.push_back(c);
          }
  return out;
}

}  // namespace einflow::report
