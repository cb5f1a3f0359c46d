// Evaluating one sweep point: builds its architecture and workload, obtains the
// mapping its design names (a named design, a mapping file, or a search), runs
// the analytical or the cycle model and fills a result record.
#pragma once

#include "tools/sweep/spec.h"
#include "tools/sweep/store.h"

namespace einflow::sweep {

struct EvalOptions {
  int search_threads = 1;  // threads of a mapper search inside the point
};

// Never throws for a fault of the point's configuration: the record then has
// status FAILED and the error text, and the sweep goes on.
Record evaluate_point(const SweepSpec& spec, const Point& point, const EvalOptions& opts = {});

}  // namespace einflow::sweep
