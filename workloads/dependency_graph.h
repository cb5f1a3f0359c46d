// The cascade's dependency graph as a Boost.Graph adjacency_list: one vertex per
// Einsum, one edge per (writer, reader) pair of a tensor. An edge is *carried*
// when the reader reads an earlier iteration of an iterative rank than the
// writer writes (RD[m1] read, RD[m1+1] written): such edges close recurrences.
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include "workloads/cascade.h"

namespace einflow::workloads {

struct DependencyEdge {
  int tensor = -1;
  bool carried = false;
  int loop_rank = -1;  // the iterative rank a carried edge goes around
};

using DependencyGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                              boost::no_property, DependencyEdge>;

// Builds the graph of a cascade whose Einsums are resolved (vertex i = einsum i).
DependencyGraph dependency_graph(const Cascade& cascade);

}  // namespace einflow::workloads
