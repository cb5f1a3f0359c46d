// Sweeps: expansion (grid, zip, ranges, filters) against hand-listed points,
// bad sweep files and command lines, threads, shards, kill-and-resume, failed
// points, progress and the cycle mode.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "arch/arch.h"
#include "common/files.h"
#include "tests/tools/sweep_testing.h"

namespace einflow::sweep {
namespace {

using namespace einflow::sweep::testing;

TEST(Sweep, GridOfAnAxisAndAZipTimesDesigns) {
  const std::string f = write_sweep("grid.sweep.yaml", R"(sweep:
  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}
  axes:
    - {key: workload.instance.seq_len, values: [16, 32]}
    - zip:
        - {key: arch.GlobalBuffer.size_words, values: [4096, 2048]}
        - {key: arch.clock_mhz, values: [1000, 500]}
  designs:
    - {name: a, design: fusemax}
    - {name: b, design: architecture}
)");
  const SweepSpec spec = read_sweep(f);
  const Expansion ex = expand(spec);
  ASSERT_EQ(ex.points.size(), 8u);  // 2 x 2 combinations x 2 designs
  const char* want[8][4] = {{"16", "4096", "1000", "a"}, {"16", "4096", "1000", "b"},
                            {"16", "2048", "500", "a"},  {"16", "2048", "500", "b"},
                            {"32", "4096", "1000", "a"}, {"32", "4096", "1000", "b"},
                            {"32", "2048", "500", "a"},  {"32", "2048", "500", "b"}};
  for (size_t i = 0; i < 8; ++i) {
    const Point& p = ex.points[i];
    EXPECT_EQ(p.index, static_cast<int64_t>(i));
    EXPECT_EQ(axis(p, "workload.instance.seq_len"), want[i][0]);
    EXPECT_EQ(axis(p, "arch.GlobalBuffer.size_words"), want[i][1]);
    EXPECT_EQ(axis(p, "arch.clock_mhz"), want[i][2]);
    EXPECT_EQ(p.design->name, want[i][3]);
    // The override reached the node named GlobalBuffer, deep in the tree.
    const arch::Architecture a = arch::load_arch_node(p.arch_doc);
    EXPECT_EQ(a.nodes[a.find("GlobalBuffer")].size_words, std::stoll(want[i][1]));
    EXPECT_EQ(a.clock_mhz, std::stod(want[i][2]));
  }
  EXPECT_NE(ex.points[0].config_hash, ex.points[2].config_hash);
  const SweepSpec again = read_sweep(f);
  EXPECT_EQ(expand(again).points[5].config_hash, ex.points[5].config_hash);  // deterministic
}

// Every base override reaches every point, whatever file an axis or a design
// swaps in (an axis over workload files used to drop `base.set`, so decoders
// ran causal and every model at its file's batch): an encoder and a decoder
// (causal by default), a design with its own architecture; batch 3, not
// causal, attention at 64 tokens, the clock at 500 MHz everywhere. The
// records say what ran, and a point equals the same configuration evaluated
// alone.
TEST(Sweep, BaseOverridesReachEveryPointWhateverFileAnAxisSwaps) {
  const std::string zoo = std::string(EINFLOW_SOURCE_DIR) + "/configs/workloads/";
  const std::string path = write_sweep(
      "base-sets.sweep.yaml",
      "sweep:\n  base:\n    arch: @/flat-4x4.yaml\n    workload: @/tiny.yaml\n"
      "    set: {workload.instance.batch: 3, workload.instance.causal: false, workload.instance.scope: attention,\n"
      "          workload.instance.seq_len: 64, arch.clock_mhz: 500}\n"
      "  axes:\n    - {key: workload, values: [" + zoo + "bert-base.yaml, " + zoo + "trxl.yaml]}\n"
      "  designs:\n    - {name: flat, design: flat}\n    - {name: fusemax, design: fusemax, arch: @/fusemax-4x4.yaml}\n");
  const SweepSpec spec = read_sweep(path);
  const Expansion e = expand(spec);
  ASSERT_EQ(e.points.size(), 4u);
  for (const Point& p : e.points) {
    SCOPED_TRACE(p.workload_file + " " + p.design->name);
    EXPECT_EQ(p.workload_doc.find("instance.batch").scalar(), "3");
    EXPECT_EQ(p.workload_doc.find("instance.causal").scalar(), "false");
    EXPECT_EQ(p.workload_doc.find("instance.seq_len").scalar(), "64");
    EXPECT_EQ(p.arch_doc.find("architecture.clock_mhz").scalar(), "500");
    EXPECT_EQ(p.arch_file.find(p.design->name == "fusemax" ? "fusemax-4x4" : "flat-4x4") != std::string::npos, true);
  }
  const std::string dir = temp_dir("base-sets");
  ASSERT_EQ(sh(kBin + " sweep " + path + " --out " + dir).code, 0);
  const std::vector<Record> recs = read_store(store_path(dir)).records;
  ASSERT_EQ(recs.size(), 4u);
  for (const Record& r : recs) {
    ASSERT_EQ(r.status(), results::OK) << r.error();
    EXPECT_EQ(r.instance().batch(), 3);
    EXPECT_FALSE(r.instance().causal());
    EXPECT_EQ(r.instance().scope(), "attention");
    EXPECT_EQ(r.instance().seq_len(), 64);
  }
  // TrXL on FuseMax's architecture, alone.
  std::string arch = read_file(kData + "attention/fusemax-4x4.yaml");
  arch.replace(arch.find("clock_mhz: 1000"), 15, "clock_mhz: 500");
  const std::string arch_file = write_sweep("fusemax-500.yaml", arch);
  const Shell alone = sh(kBin + " evaluate --arch " + arch_file + " --workload " + zoo +
                         "trxl.yaml --set instance.batch=3 --set instance.causal=false --set instance.scope=attention"
                         " --set instance.seq_len=64 --design fusemax --json");
  ASSERT_EQ(alone.code, 0) << alone.out;
  const Record* trxl = nullptr;
  for (const Record& r : recs)
    if (r.design() == "fusemax" && r.workload().find("TrXL") != std::string::npos) trxl = &r;
  ASSERT_NE(trxl, nullptr);
  EXPECT_NE(alone.out.find("\"cycles\": " + std::to_string(trxl->total().cycles()) + ","), std::string::npos)
      << alone.out << " against " << trxl->total().cycles();
  EXPECT_NE(alone.out.find("\"seconds\": "), std::string::npos);
}

// A named design's parameters: `params:` the base, `design.NAME.KEY` per
// point, for that design only; each point equals `evaluate --design-set`
// run alone.
TEST(Sweep, DesignParametersReachTheirDesignOnly) {
  const std::string path = write_sweep(
      "design-params.sweep.yaml",
      "sweep:\n  base: {arch: @/flat-4x4.yaml, workload: @/tiny.yaml}\n"
      "  axes: [{key: design.flat.query_tile, values: [2, 4]}]\n"
      "  designs:\n    - {name: flat, design: flat, params: {offchip: [QK, SN]}}\n"
      "    - {name: fusemax, design: fusemax, arch: @/fusemax-4x4.yaml}\n");
  const Expansion e = expand(read_sweep(path));
  ASSERT_EQ(e.points.size(), 4u);
  const std::string dir = temp_dir("design-params");
  ASSERT_EQ(sh(kBin + " sweep " + path + " --out " + dir).code, 0);
  const std::vector<Record> recs = read_store(store_path(dir)).records;
  ASSERT_EQ(recs.size(), 4u);
  int flat_points = 0;
  std::vector<int64_t> fusemax_cycles;
  for (const Record& r : recs) {
    ASSERT_EQ(r.status(), results::OK) << r.error();
    if (r.design() == "fusemax") fusemax_cycles.push_back(r.total().cycles());
    if (r.design() != "flat") continue;
    ++flat_points;
    std::string tile;
    for (const auto& a : r.axes())
      if (a.key() == "design.flat.query_tile") tile = a.value();
    const Shell alone = sh(kBin + " evaluate --arch " + kData + "attention/flat-4x4.yaml --workload " + kData +
                           "attention/tiny.yaml --design flat --design-set query_tile=" + tile +
                           " --design-set 'offchip=[QK, SN]' --json");
    ASSERT_EQ(alone.code, 0) << alone.out;
    EXPECT_NE(alone.out.find("\"cycles\": " + std::to_string(r.total().cycles()) + ","), std::string::npos)
        << alone.out << " against " << r.total().cycles();
  }
  EXPECT_EQ(flat_points, 2);
  ASSERT_EQ(fusemax_cycles.size(), 2u);
  EXPECT_EQ(fusemax_cycles[0], fusemax_cycles[1]);  // FLAT's parameter does not reach FuseMax
}

TEST(Sweep, ZipAndRanges) {
  const std::string f = write_sweep("zip.sweep.yaml", R"(sweep:
  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}
  combine: zip
  axes:
    - {key: workload.instance.seq_len, log_range: {from: 16, to: 64, factor: 2}}
    - {key: arch.clock_mhz, range: {from: 0.5e3, to: 1.5e3, step: 0.5e3}}
  designs: [{name: f, design: fusemax}]
)");
  const SweepSpec spec = read_sweep(f);
  const Expansion ex = expand(spec);
  ASSERT_EQ(ex.points.size(), 3u);
  EXPECT_EQ(axis(ex.points[0], "workload.instance.seq_len"), "16");
  EXPECT_EQ(axis(ex.points[2], "workload.instance.seq_len"), "64");
  EXPECT_EQ(axis(ex.points[0], "arch.clock_mhz"), "500");
  EXPECT_EQ(axis(ex.points[1], "arch.clock_mhz"), "1000");
  EXPECT_EQ(axis(ex.points[2], "arch.clock_mhz"), "1500");
}

// tests/data/sweep/tiny.yaml: 3 lengths x 2 buffers x 5 designs; the filter
// seq_len * 32 <= size_words drops (64, 1024) only: 64 * 32 = 2048 > 1024.
TEST(Sweep, FiltersDropThePointsThatFailThem) {
  const SweepSpec spec = read_sweep(kData + "sweep/tiny.yaml");
  const Expansion ex = expand(spec);
  EXPECT_EQ(ex.points.size(), 25u);
  EXPECT_EQ(ex.filtered, 5);
  for (const auto& p : ex.points)
    EXPECT_FALSE(axis(p, "workload.instance.seq_len") == "64" &&
                 axis(p, "arch.GlobalBuffer.size_words") == "1024");
}

// The iso-area sweep keeps the published FuseMax (256 x 256, 16 MiB) and drops
// every 320 x 320 array, larger in PEs alone.
TEST(Sweep, IsoAreaFilterKeepsThePublishedConfiguration) {
  const SweepSpec spec =
      read_sweep(std::string(EINFLOW_SOURCE_DIR) + "/configs/sweeps/iso-area.yaml");
  const Expansion ex = expand(spec);
  bool published = false;
  for (const auto& p : ex.points) {
    EXPECT_NE(axis(p, "arch.PE2D.mesh.x"), "320");
    published = published || (axis(p, "arch.PE2D.mesh.x") == "256" &&
                              axis(p, "arch.GlobalBuffer.size_bytes") == "16777216");
  }
  EXPECT_TRUE(published);
  EXPECT_GT(ex.filtered, 0);
}

TEST(Sweep, BadSweepFilesExitTwoWithLocations) {
  struct Case {
    const char* body;
    const char* where;
    const char* what;
  } cases[] = {
      {"sweep:\n  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}\n  designz: []\n",
       ":3:3:", "did you mean 'designs'"},
      {"sweep:\n  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}\n  axes: [{key: "
       "arc.clock_mhz, values: [1]}]\n"
       "  designs: [{design: fusemax}]\n",
       ":3:16:", "did you mean 'arch'"},
      {"sweep:\n  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}\n  filters: ['area_um2 "
       "<= (3']\n"
       "  designs: [{design: fusemax}]\n",
       ":3:28:", "expected ')'"},
      {"sweep:\n  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}\n  axes:\n    - zip:\n"
       "        - {key: arch.clock_mhz, values: [1, 2]}\n        - {key: workload.instance.batch, "
       "values: [1]}\n"
       "  designs: [{design: fusemax}]\n",
       ":6:17:", "as many values"},
      {"sweep:\n  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}\n  designs: [{design: "
       "fusemx}]\n",
       ":3:22:", "did you mean 'fusemax'"},
      {"sweep:\n  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}\n"
       "  axes: [{key: arch.GlobalBuffer.size_words.x, values: [1]}]\n  designs: [{design: "
       "fusemax}]\n",
       ":3:16:", "non-map"},
      {"sweep:\n  base: {arch: @/flat-4x4.yaml, workload: @/tiny.yaml}\n"
       "  axes: [{key: design.flatt.query_tile, values: [2]}]\n  designs: [{design: flat}]\n",
       ":3:16:", "did you mean 'flat'"},
      {"sweep:\n  base: {arch: @/flat-4x4.yaml, workload: @/tiny.yaml}\n"
       "  designs: [{design: flat, params: {query_tiles: 2}}]\n",
       ":3:37:", "did you mean 'query_tile'"},
      {"sweep:\n  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}\n"
       "  designs: [{design: fusemax, params: {query_tile: 2}}]\n",
       ":3:39:", "does not take these parameters"},
      {"sweep:\n  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}\n"
       "  axes: [{key: design.fusemax.query_tile, values: [2]}]\n  designs: [{design: fusemax}]\n",
       ":3:16:", "does not take these parameters"},
      {"sweep:\n  base: {arch: @/flat-4x4.yaml, workload: @/tiny.yaml}\n"
       "  axes: [{key: design.flat.query_tiles, values: [2]}]\n  designs: [{design: flat}]\n",
       ":3:16:", "did you mean 'query_tile'"},
  };
  for (const auto& c : cases) {
    const std::string f = write_sweep("bad.sweep.yaml", c.body);
    const Shell r = sh(kBin + " sweep " + f + " --out " + temp_dir("bad"));
    EXPECT_EQ(r.code, 2) << c.body << r.out;
    EXPECT_NE(r.out.find("bad.sweep.yaml" + std::string(c.where)), std::string::npos)
        << c.body << r.out;
    EXPECT_NE(r.out.find(c.what), std::string::npos) << c.body << r.out;
  }
}

// The store's results do not depend on threads or shards, and a second run
// into the same directory needs --resume.
TEST(Sweep, ThreadsAndShardsGiveTheSameResults) {
  const std::string sweep = kData + "sweep/tiny.yaml";
  const std::string one = temp_dir("jobs1"), two = temp_dir("jobs2");
  ASSERT_EQ(sh(kBin + " sweep " + sweep + " --out " + one + " --jobs 1").code, 0);
  ASSERT_EQ(sh(kBin + " sweep " + sweep + " --out " + two + " --jobs 2").code, 0);
  const auto base = results_of(one);
  EXPECT_EQ(base.size(), 25u);
  expect_same_results(results_of(two), base, "--jobs 2");
  std::string dirs;
  for (int i = 0; i < 3; ++i) {
    const std::string d = temp_dir("shard" + std::to_string(i));
    ASSERT_EQ(
        sh(kBin + " sweep " + sweep + " --out " + d + " --shard " + std::to_string(i) + "/3").code,
        0);
    for (const auto& r : read_store(store_path(d)).records) EXPECT_EQ(r.point() % 3, i);
    dirs += " " + d;
  }
  const std::string merged = temp_dir("merged");
  ASSERT_EQ(sh(kBin + " sweep merge" + dirs + " " + one + " --out " + merged).code, 0);
  expect_same_results(results_of(merged), base, "merged shards");
  const Shell again = sh(kBin + " sweep " + sweep + " --out " + one);
  EXPECT_EQ(again.code, 2) << again.out;
  EXPECT_NE(again.out.find("--resume"), std::string::npos) << again.out;
  const Shell resumed = sh(kBin + " sweep " + sweep + " --out " + one + " --resume");
  EXPECT_EQ(resumed.code, 0) << resumed.out;
  EXPECT_NE(resumed.out.find("0 evaluated, 25 already done"), std::string::npos) << resumed.out;
  expect_same_results(results_of(one), base, "resumed");
}

// SIGKILL at several moments (by the store's size, so mid-record too), then
// --resume: the same results as an uninterrupted run, none twice.
TEST(Sweep, KilledSweepsResumeToTheSameResults) {
  const std::string sweep = std::string(EINFLOW_SOURCE_DIR) + "/configs/studies/fusemax.yaml";
  const std::string whole = temp_dir("whole");
  ASSERT_EQ(sh(kBin + " sweep " + sweep + " --out " + whole + " --jobs 2").code, 0);
  const auto base = results_of(whole);
  ASSERT_EQ(base.size(), 240u);
  const uintmax_t total = fs::file_size(store_path(whole));
  for (double at : {0.0, 0.13, 0.5, 0.87}) {
    const std::string dir = temp_dir("killed");
    fs::create_directories(dir);
    const pid_t pid = fork();
    if (pid == 0) {
      execl(kBin.c_str(), kBin.c_str(), "sweep", sweep.c_str(), "--out", dir.c_str(), "--jobs", "2",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_GT(pid, 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    const uintmax_t threshold = static_cast<uintmax_t>(at * static_cast<double>(total));
    bool exited = false;
    for (;;) {
      std::error_code ec;
      const uintmax_t size = fs::file_size(store_path(dir), ec);
      if (!ec && size > threshold) break;
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      ASSERT_LT(std::chrono::steady_clock::now(), deadline);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (!exited) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    const size_t before = read_store(store_path(dir)).records.size();
    const Shell r = sh(kBin + " sweep " + sweep + " --out " + dir + " --resume --jobs 2");
    ASSERT_EQ(r.code, 0) << r.out;
    expect_same_results(
        results_of(dir), base,
        "killed at " + std::to_string(at) + " with " + std::to_string(before) + " records");
  }
}

// A point whose configuration is wrong is recorded as failed; the others run,
// the exit code is 1, and a resume does not run it again.
TEST(Sweep, FailedPointsAreRecordedAndTheSweepGoesOn) {
  const std::string f = write_sweep("fail.sweep.yaml", R"(sweep:
  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}
  axes: [{key: arch.clock_mhz, values: [1000, -5, 500]}]
  designs: [{name: f, design: fusemax}]
)");
  const std::string dir = temp_dir("fail");
  const Shell r = sh(kBin + " sweep " + f + " --out " + dir);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("point 1 (f) failed"), std::string::npos) << r.out;
  const auto recs = merge_records({read_store(store_path(dir)).records});
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].status(), results::OK);
  EXPECT_EQ(recs[1].status(), results::FAILED);
  EXPECT_NE(recs[1].error().find("clock_mhz"), std::string::npos) << recs[1].error();
  EXPECT_EQ(recs[2].status(), results::OK);
  EXPECT_EQ(recs[2].total().cycles(),
            recs[0].total().cycles());  // the clock changes seconds, not cycles
  EXPECT_DOUBLE_EQ(recs[2].total().seconds(), 2 * recs[0].total().seconds());
  const Shell again = sh(kBin + " sweep " + f + " --out " + dir + " --resume");
  EXPECT_NE(again.out.find("0 evaluated, 3 already done"), std::string::npos) << again.out;
}

// A sweep chooses a workload's variant by the rule the command line uses: a
// search design on an attention workload (two variants) without `variant`
// fails with the variants listed; naming one runs.
TEST(Sweep, AmbiguousVariantIsAnErrorThatListsThem) {
  const std::string mapper = write_sweep("small.mapper.yaml", "mapper: {max_evaluations: 40}\n");
  const std::string f = write_sweep("variant.sweep.yaml", R"(sweep:
  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}
  designs:
    - {name: any, mapper: )" + mapper + R"(, fuse: true}
    - {name: one, mapper: )" + mapper + R"(, fuse: true, variant: 1pass}
)");
  const std::string dir = temp_dir("variant");
  const Shell r = sh(kBin + " sweep " + f + " --out " + dir);
  EXPECT_EQ(r.code, 1) << r.out;
  const auto recs = merge_records({read_store(store_path(dir)).records});
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].status(), results::FAILED);
  EXPECT_NE(
      recs[0].error().find("the workload has several variants (3pass, 1pass); name one with the "
                           "design's variant"),
      std::string::npos)
      << recs[0].error();
  EXPECT_EQ(recs[1].status(), results::OK) << recs[1].error();
}

// Progress (points, rate, ETA) goes to stderr when it is a terminal, and not
// otherwise. `script` (util-linux) gives the sweep a terminal.
TEST(Sweep, ProgressOnATerminalOnly) {
  const std::string sweep = kData + "sweep/tiny.yaml";
  const Shell plain = sh(kBin + " sweep " + sweep + " --out " + temp_dir("plain") + " --jobs 1");
  ASSERT_EQ(plain.code, 0) << plain.out;
  EXPECT_EQ(plain.out.find("ETA"), std::string::npos) << plain.out;
  if (sh("command -v script").code != 0)
    GTEST_SKIP() << "no script(1) to give the sweep a terminal";
  const Shell tty = sh("script -qec '" + kBin + " sweep " + sweep + " --out " + temp_dir("tty") +
                       " --jobs 1' /dev/null");
  ASSERT_EQ(tty.code, 0) << tty.out;
  EXPECT_NE(tty.out.find("\rsweep: 1/25 points, "), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("\rsweep: 25/25 points, "), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("/s, ETA "), std::string::npos) << tty.out;
}

// mode cycle: the named designs run on the cycle model (timing only). FuseMax's
// tiny attention then lies between the hand lower bound (1D work 320 + the first
// QK and LM, 20: 340 cycles) and the analytical model's 392, as `simulate` says.
TEST(Sweep, CycleModeRunsTheCycleModel) {
  const std::string f = write_sweep("cycle.sweep.yaml", R"(sweep:
  base: {arch: @/fusemax-4x4.yaml, workload: @/tiny.yaml}
  designs: [{name: fusemax, design: fusemax}]
  mode: cycle
)");
  const std::string dir = temp_dir("cycle");
  ASSERT_EQ(sh(kBin + " sweep " + f + " --out " + dir).code, 0);
  const auto recs = read_store(store_path(dir)).records;
  ASSERT_EQ(recs.size(), 1u);
  const int64_t cycles = recs[0].total().cycles();
  EXPECT_GE(cycles, 340);
  EXPECT_LE(cycles, 392);
  const Shell sim =
      sh(kBin + " simulate --arch " + kData + "attention/fusemax-4x4.yaml --workload " + kData +
         "attention/tiny.yaml --design fusemax --no-data --json");
  ASSERT_EQ(sim.code, 0) << sim.out;
  EXPECT_NE(sim.out.find("\"cycles\": " + std::to_string(cycles) + ","), std::string::npos)
      << cycles << sim.out;
  EXPECT_EQ(recs[0].provenance().mode(), "cycle");
}

// Command-line faults of sweep and report exit 2 with what is wrong.
TEST(Sweep, BadCommandLinesExitTwo) {
  const std::string sweep = kData + "sweep/tiny.yaml";
  const std::string empty = temp_dir("empty");
  fs::create_directories(empty);
  const struct {
    std::string args, what;
  } cases[] = {
      {"sweep " + sweep + " --out " + temp_dir("shard") + " --shard 3/2", "0 <= I < N"},
      {"sweep " + sweep + " --out " + temp_dir("shard") + " --shard two", "expected I/N"},
      {"sweep " + sweep + " --out " + temp_dir("arr") + " --array 3", "go with --slurm"},
      {"sweep merge " + empty + " --out " + temp_dir("merged-bad"), "no results.pb"},
      {"report " + empty, "no results.pb"},
      {"report " + kData + "sweep --format md,pdf", "unknown format 'pdf'"},
  };
  for (const auto& c : cases) {
    const Shell r = sh(kBin + " " + c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.what), std::string::npos) << c.args << "\n" << r.out;
  }
  // A report needs a store with records, and names a baseline that is there.
  const std::string dir = temp_dir("baseline");
  ASSERT_EQ(sh(kBin + " sweep " + sweep + " --out " + dir).code, 0);
  const Shell r = sh(kBin + " report " + dir + " --baseline flatt");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("did you mean 'flat'"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace einflow::sweep
