// The chunk size as a mapping choice: the block search keeps the best of the
// cascade searches of each listed block, skips the blocks that do not divide
// the keys (saying so), and records the choice.
#include <gtest/gtest.h>

#include "arch/arch.h"
#include "mappers/cascade/block_search.h"
#include "workloads/workload.h"

namespace einflow::cascade {
namespace {

const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/attention/";

const char* kModel =
    "model: {name: m, layers: 1, d_model: 8, heads: 1, head_dim: 4, ffn_dim: 8, kind: decoder}\n"
    "instance: {scope: attention, seq_len: 16, block: 4, attention: [1pass]}\n";

search::MapperConfig config(std::vector<int64_t> blocks) {
  search::MapperConfig c;
  c.algorithm = "random";
  c.max_evaluations = 300;
  c.threads = 1;
  c.blocks = std::move(blocks);
  return c;
}

TEST(BlockSearch, KeepsTheBestBlock) {
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  const workloads::Workload w = workloads::load_workload_text(kModel, "m.yaml");
  const BlockSearch bs = search_blocks(a, w, "1pass", config({2, 3, 4, 8}));
  ASSERT_EQ(bs.tried.size(), 4u);
  EXPECT_EQ(bs.tried[1].second, "does not divide the 16 keys");
  // Each block searched alone (the same seed and budget) costs what the block
  // search recorded; the chosen one is the least.
  double least = 0;
  int64_t best = 0;
  for (int64_t b : {2, 4, 8}) {
    const workloads::Workload wb = workloads::with_block(w, b);
    const CascadeSearchResult r = search_cascade(a, wb.find_variant("1pass")->cascade, config({}));
    if (best == 0 || r.cost < least) least = r.cost, best = b;
  }
  EXPECT_EQ(bs.block, best);
  EXPECT_DOUBLE_EQ(bs.result.cost, least);
  EXPECT_EQ(bs.workload.instance->block, best);
  EXPECT_EQ(bs.workload.find_variant("1pass")->cascade.ranks[static_cast<size_t>(
                bs.workload.find_variant("1pass")->cascade.find_rank("M0"))].size,
            best);
}

TEST(BlockSearch, OnlyPartitionedFormsHaveBlocks) {
  const arch::Architecture a = arch::load_arch(kData + "fusemax-4x4.yaml");
  workloads::Workload w = workloads::load_workload_text(kModel, "m.yaml", {{"instance.attention", "[3pass]"}});
  const BlockSearch bs = search_blocks(a, w, "3pass", config({2, 4}));
  EXPECT_EQ(bs.block, 0);  // the 3-pass cascade has no block: searched once
  EXPECT_TRUE(bs.tried.empty());
  CascadeSearchOptions seeded;
  seeded.seeds.push_back(bs.result.best);
  EXPECT_THROW(search_blocks(a, workloads::load_workload_text(kModel, "m.yaml"), "1pass", config({2, 4}), seeded),
               UserError);
}

}  // namespace
}  // namespace einflow::cascade
