// Reports: the numbers of a store built by hand, and the mappings written out.
#include "tools/report/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/files.h"
#include "tests/tools/sweep_testing.h"
#include "tools/report/format.h"

namespace einflow::sweep {
namespace {

using namespace einflow::sweep::testing;

// A store written here with numbers chosen by hand: lengths 1K and 2K,
// designs base and fast; ratios, Pareto fronts and tables follow from them.
void write_hand_store(const std::string& dir) {
  fs::create_directories(dir);
  std::ofstream(spec_copy_path(dir))
      << "sweep:\n  name: hand\n  axes: [{key: workload.instance.seq_len, values: [1K, 2K]}]\n"
         "  report: {baseline: base, pareto: [cycles, energy_pj]}\n";
  struct Row {
    const char* len;
    const char* design;
    int64_t cycles;
    double energy;
  } rows[] = {{"1K", "base", 1000, 50},
              {"1K", "fast", 250, 100},
              {"2K", "base", 4000, 200},
              {"2K", "fast", 800, 300}};
  std::vector<Record> recs;
  for (size_t i = 0; i < 4; ++i) {
    Record r;
    r.set_point(static_cast<int64_t>(i));
    r.set_config_hash("hash" + std::to_string(i));
    r.set_design(rows[i].design);
    auto* a = r.add_axes();
    a->set_key("workload.instance.seq_len");
    a->set_value(rows[i].len);
    r.mutable_total()->set_cycles(rows[i].cycles);
    r.mutable_total()->set_energy_pj(rows[i].energy);
    (*r.mutable_total()->mutable_utilization())["Array"] = 0.5;
    (*r.mutable_total()->mutable_energy_by_component_pj())["DRAM"] = rows[i].energy;
    r.mutable_provenance()->set_version("9.9.9");
    r.mutable_provenance()->set_git_hash("abc");
    recs.push_back(r);
  }
  write_store(store_path(dir), recs);
}

// The numbers of the hand-built store in every table format.
TEST(Report, NumbersFromAHandBuiltStore) {
  const std::string dir = temp_dir("report");
  write_hand_store(dir);
  std::ostringstream log;
  const report::ReportData d = report::load_report(dir, {}, log);
  ASSERT_EQ(d.speedup.size(), 4u);
  EXPECT_DOUBLE_EQ(*d.speedup[1], 4.0);       // 1000 / 250
  EXPECT_DOUBLE_EQ(*d.energy_ratio[1], 2.0);  // 100 / 50
  EXPECT_DOUBLE_EQ(*d.speedup[3], 5.0);       // 4000 / 800
  EXPECT_DOUBLE_EQ(*d.energy_ratio[3], 1.5);  // 300 / 200
  // Fronts on (cycles, energy), one per problem (length): at 1K (250, 100) and
  // (1000, 50) trade off, at 2K (800, 300) and (4000, 200) do; a 2K point is
  // never compared with a 1K one.
  ASSERT_EQ(d.front.size(), 4u);
  EXPECT_EQ(d.front, (std::vector<size_t>{1, 0, 3, 2}));
  EXPECT_NE(d.front_problem[0], d.front_problem[2]);
  EXPECT_EQ(d.front_problem[0], d.front_problem[1]);
  const std::string md = report::markdown(d);
  EXPECT_NE(md.find("| fast | 2 | 4.47 | 1.73 | 50 |"), std::string::npos)
      << md;  // sqrt(4*5), sqrt(2*1.5)
  EXPECT_NE(md.find("einflow 9.9.9 (git abc)"), std::string::npos) << md;
  const std::string csv = report::csv(d);
  // A plain table: the header first, unique names, the instance columns empty
  // for a record without one, the same number of fields on every row.
  EXPECT_EQ(csv.rfind("point,config_hash,workload.instance.seq_len,design,arch_name,workload_name,instance_scope,"
                      "instance_phase,instance_batch,instance_seq_len,instance_causal,instance_block,status,",
                      0),
            0u)
      << csv;
  EXPECT_NE(csv.find("\n1,hash1,1K,fast,,,,,,,,,ok,250,0,100,0,0,0,0,0,1,0.5,100,4,2,1,\n"), std::string::npos)
      << csv;
  std::istringstream lines(csv);
  std::string header;
  std::getline(lines, header);
  std::set<std::string> names;
  size_t columns = 0;
  {
    std::istringstream h(header);
    for (std::string name; std::getline(h, name, ',');) {
      EXPECT_TRUE(names.insert(name).second) << "repeated column " << name;
      ++columns;
    }
  }
  for (std::string row; std::getline(lines, row);)
    EXPECT_EQ(static_cast<size_t>(std::count(row.begin(), row.end(), ',')) + 1, columns) << row;
  EXPECT_NE(report::csv_provenance(d).find("\"versions\""), std::string::npos);
  const std::string tex = report::latex(d);
  EXPECT_NE(tex.find("\\toprule"), std::string::npos);
  EXPECT_NE(tex.find("fast & 4.47 & 1.73 & 50 \\\\"), std::string::npos) << tex;
  const bool gnuplot = sh("command -v gnuplot").code == 0;
  const auto files = report::write_report(
      dir, {{"md", "csv", "json", "tex", "plots"}, "", "", {}, "", {}, gnuplot}, log);
  for (const char* name : {"report.md", "results.csv", "report.json", "report.tex",
                           "plots/speedup.gp", "plots/pareto.gp"})
    EXPECT_TRUE(fs::exists(fs::path(dir) / name)) << name;
  // Energy bars relative to the baseline at the same length: the baseline's is
  // 1; fast's is its energy ratio (100 / 50 at 1K, 300 / 200 at 2K), all of it
  // DRAM here; an empty bar between the lengths.
  const std::string energy = read_file((fs::path(dir) / "plots/energy.dat").string());
  EXPECT_NE(energy.find("\"base\"\t1\n\"fast\"\t2\n\"\"\t0\n\"base\"\t1\n\"fast\"\t1.5\n"), std::string::npos)
      << energy;
  EXPECT_NE(read_file((fs::path(dir) / "plots/energy.gp").string()).find("energy relative to base"), std::string::npos);
  if (gnuplot) {
    for (const char* name : {"plots/speedup.pdf", "plots/speedup.svg", "plots/speedup.png",
                             "plots/pareto.png", "plots/energy.png", "plots/utilization.png"})
      EXPECT_GT(fs::file_size(fs::path(dir) / name), 1000u) << name << log.str();
  }
}

// report.html embeds the hand-built numbers: every record in the table, the
// speedups (fast: 1000 / 250 = 4 at 1K, 4000 / 800 = 5 at 2K) as the speedup
// plot's points, the energy bars relative to base (2 and 1.5), the four
// points of the two fronts; nothing is fetched. (Chromium runs the page in
// tests/tools/html_report_test.py.)
TEST(Report, HtmlEmbedsTheHandBuiltNumbers) {
  const std::string dir = temp_dir("report-html");
  write_hand_store(dir);
  std::ostringstream log;
  const std::string page = report::html(report::load_report(dir, {}, log));
  const std::string open = "<script type=\"application/json\" id=\"einflow-data\">";
  const size_t at = page.find(open);
  ASSERT_NE(at, std::string::npos);
  const size_t end = page.find("</script>", at);
  const nlohmann::json j = nlohmann::json::parse(page.substr(at + open.size(), end - at - open.size()));
  EXPECT_EQ(j["table"]["rows"].size(), 4u);
  EXPECT_EQ(j["records"].size(), 4u);
  std::map<std::string, nlohmann::json> plots;
  for (const auto& p : j["plots"]) plots[p["id"].get<std::string>()] = p;
  ASSERT_TRUE(plots.count("speedup-0") && plots.count("energy-0") && plots.count("pareto"));
  const auto& fast = plots["speedup-0"]["series"][1];
  EXPECT_EQ(fast["name"], "fast");
  EXPECT_DOUBLE_EQ(fast["points"][0]["y"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(fast["points"][1]["y"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(fast["points"][0]["x"].get<double>(), 1024.0);
  const auto& dram = plots["energy-0"]["series"][0]["points"];  // bars: base, fast at 1K, then at 2K
  ASSERT_EQ(dram.size(), 4u);
  EXPECT_DOUBLE_EQ(dram[0]["y"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(dram[1]["y"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(dram[3]["y"].get<double>(), 1.5);
  EXPECT_EQ(plots["pareto"]["series"][2]["points"].size(), 4u);  // the fronts
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
}

// A format is one registration: this file adds "count" (the number of records),
// and write_report writes it when named, beside the built-in ones.
EINFLOW_REGISTER_FORMAT(count, "count", "count.txt: the number of records",
                        [](const report::ReportData& d, report::FormatOutput& out) {
                          out.put("count.txt", std::to_string(d.records.size()) + "\n");
                        })

// Lines per workload, per token, and where they cross: two mixers by hand.
// A (quadratic) costs 1 x L^2 cycles, B (linear) 100 x L at lengths 16, 64,
// 256: per token A is L, B is 100, so A is lower up to 64 and higher at 256;
// log(A/B) goes from log(0.64) to log(2.56) between 64 and 256, crossing where
// log(x) = log(64) + log(0.64)/(log(0.64) - log(2.56)) x log(4): x = 100.
TEST(Report, LinesPerTokenAndTheirCrossings) {
  const std::string dir = temp_dir("report-lines");
  fs::create_directories(dir);
  std::ofstream(spec_copy_path(dir))
      << "sweep:\n  name: mixers\n  axes: [{key: workload, values: [a.yaml, b.yaml]}, "
         "{key: workload.instance.seq_len, values: [16, 64, 256]}]\n  metrics: [cycles, onchip_bytes]\n"
         "  report: {x: workload.instance.seq_len, lines: [workload], per_token: true}\n";
  std::vector<Record> recs;
  int64_t point = 0;
  for (const char* w : {"a.yaml", "b.yaml"})
    for (int64_t len : {16, 64, 256}) {
      Record r;
      r.set_point(point);
      r.set_config_hash("h" + std::to_string(point++));
      r.set_design("searched");
      auto* a = r.add_axes();
      a->set_key("workload");
      a->set_value(w);
      auto* b = r.add_axes();
      b->set_key("workload.instance.seq_len");
      b->set_value(std::to_string(len));
      r.mutable_instance()->set_phase("prefill");
      r.mutable_instance()->set_batch(2);
      r.mutable_instance()->set_seq_len(len);
      const bool quadratic = std::string(w) == "a.yaml";
      r.mutable_total()->set_cycles(2 * (quadratic ? len * len : 100 * len));  // batch 2
      r.mutable_total()->set_onchip_bytes(1000);
      r.mutable_provenance()->set_version("9.9.9");
      recs.push_back(r);
    }
  write_store(store_path(dir), recs);
  std::ostringstream log;
  const report::ReportData d = report::load_report(dir, {}, log);
  const auto lines = report::metric_lines(d, "cycles");
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_EQ(lines[0].names.size(), 2u);
  EXPECT_EQ(lines[0].names[0], "searched, workload a");
  EXPECT_EQ(lines[0].values[0], (std::vector<double>{16, 64, 256}));  // per token: L
  EXPECT_EQ(lines[0].values[1], (std::vector<double>{100, 100, 100}));
  // The footprint is a peak, not divided by tokens.
  EXPECT_EQ(report::metric_lines(d, "onchip_bytes")[0].values[0], (std::vector<double>{1000, 1000, 1000}));
  const auto cs = report::crossovers(d);
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].metric, "cycles");
  EXPECT_EQ(cs[0].low_first, "searched, workload a");
  EXPECT_EQ(cs[0].x_before, "64");
  EXPECT_EQ(cs[0].x_after, "256");
  EXPECT_NEAR(cs[0].x_estimate, 100, 1e-9);
  const std::string md = report::markdown(d);
  EXPECT_NE(md.find("## cycles per token against seq_len"), std::string::npos) << md;
  EXPECT_NE(md.find("## on-chip footprint (bytes) against seq_len"), std::string::npos);
  EXPECT_NE(md.find("| cycles per token | - | searched, workload a | searched, workload b | 64 - 256 | 100 |"),
            std::string::npos)
      << md;
}

TEST(Report, AFormatIsOneRegistration) {
  const std::string dir = temp_dir("count");
  ASSERT_EQ(sh(kBin + " sweep " + kData + "attention/designs.yaml --out " + dir).code, 0);
  std::ostringstream log;
  const auto files = report::write_report(dir, {{"count", "csv"}, "", "", {}, "", {}, false}, log);
  ASSERT_EQ(files.size(), 3u);  // count.txt, results.csv and its provenance sidecar
  EXPECT_EQ(read_file((fs::path(dir) / "count.txt").string()), "5\n");  // the five designs
  std::vector<std::string> names;
  for (const auto& f : report::report_formats()) names.push_back(f.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"count", "csv", "html", "json", "mappings", "md", "plots", "tex"}));
  try {
    report::write_report(dir, {{"cvs"}, "", "", {}, "", {}, false}, log);
    ADD_FAILURE() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown format 'cvs' (count, csv, html, json, mappings, md, "
                                         "plots, tex) (did you mean 'csv'?)"),
              std::string::npos)
        << e.what();
  }
}

// The mappings a report writes out are the ones the records were evaluated on:
// FuseMax's on the tiny attention evaluates to its hand-worked 348 cycles
// (tests/mappers/named_test.cpp).
TEST(Report, MappingsEvaluateToTheirRecords) {
  const std::string dir = temp_dir("mappings");
  ASSERT_EQ(sh(kBin + " sweep " + kData + "attention/designs.yaml --out " + dir).code, 0);
  ASSERT_EQ(sh(kBin + " report " + dir + " --format mappings").code, 0);
  const Shell e =
      sh(kBin + " evaluate --arch " + kData + "attention/fusemax-4x4.yaml --workload " + kData +
         "attention/tiny.yaml --mapping " + dir + "/mappings/4-fusemax.yaml --json");
  ASSERT_EQ(e.code, 0) << e.out;
  EXPECT_NE(e.out.find("\"cycles\": 348,"), std::string::npos) << e.out;
}

}  // namespace
}  // namespace einflow::sweep
