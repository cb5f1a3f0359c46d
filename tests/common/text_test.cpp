#include "common/text.h"

#include <gtest/gtest.h>

#include <cmath>

namespace einflow {
namespace {

TEST(Text, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(Text, NearestOnlyWhenPlausible) {
  EXPECT_EQ(nearest("batchh", {"batch", "seq_len"}), "batch");
  EXPECT_EQ(nearest("zzzzzz", {"batch", "seq_len"}), "");
}

TEST(Text, FormatDoubleRoundTrips) {
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(1e-12), "1e-12");
  EXPECT_EQ(format_double(-INFINITY), "-inf");
  EXPECT_EQ(std::stod(format_double(1.0 / 3.0)), 1.0 / 3.0);
}

}  // namespace
}  // namespace einflow
