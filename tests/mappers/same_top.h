// Two searches' top lists are the same: costs and genomes, in order (the
// determinism tests of search_test.cpp and descent_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "mappers/search/driver.h"

namespace einflow::search {

inline void expect_same_top(const std::vector<Candidate>& a, const std::vector<Candidate>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].cost, b[i].cost) << "rank " << i;
    EXPECT_TRUE(a[i].genome == b[i].genome) << "rank " << i;
  }
}

}  // namespace einflow::search
