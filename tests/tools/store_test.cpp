// The results store: a truncated or damaged journal, and merging stores.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/tools/sweep_testing.h"

namespace einflow::sweep {
namespace {

using namespace einflow::sweep::testing;

TEST(Store, TruncatedLastRecordIsDroppedWithAWarning) {
  const std::string dir = temp_dir("trunc");
  fs::create_directories(dir);
  std::vector<Record> recs(3);
  for (int i = 0; i < 3; ++i) {
    recs[i].set_point(i);
    recs[i].set_config_hash("h" + std::to_string(i));
    recs[i].mutable_total()->set_cycles(100 + i);
  }
  write_store(store_path(dir), recs);
  const auto full = fs::file_size(store_path(dir));
  fs::resize_file(store_path(dir), full - 3);
  StoreContents c = read_store(store_path(dir));
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(c.records[1].total().cycles(), 101);
  EXPECT_NE(c.warning.find("truncated"), std::string::npos);
  // Appending after the good prefix cuts the broken tail off.
  {
    StoreWriter w(store_path(dir), c.valid_bytes);
    w.append(recs[2]);
  }
  c = read_store(store_path(dir));
  ASSERT_EQ(c.records.size(), 3u);
  EXPECT_TRUE(c.warning.empty());
  EXPECT_EQ(c.records[2].total().cycles(), 102);
  // Damage before the end is not silently dropped: the first record's first
  // byte (after its one-byte length) becomes a tag of wire type 7, which no
  // message has.
  {
    std::fstream f(store_path(dir), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1);
    f.put(static_cast<char>(0x07));
  }
  EXPECT_THROW(read_store(store_path(dir)), UserError);
}

TEST(Store, MergeDeduplicatesByHashAndSortsByPoint) {
  std::vector<Record> a(2), b(2);
  a[0].set_point(2), a[0].set_config_hash("x");
  a[1].set_point(0), a[1].set_config_hash("y");
  b[0].set_point(2), b[0].set_config_hash("x");
  b[1].set_point(1), b[1].set_config_hash("z");
  const auto m = merge_records({a, b});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].config_hash(), "y");
  EXPECT_EQ(m[1].config_hash(), "z");
  EXPECT_EQ(m[2].config_hash(), "x");
}

}  // namespace
}  // namespace einflow::sweep
