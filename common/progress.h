// Progress and interruption of long calls, for callers that embed einflow
// (the Python module). Long loops (a sweep's points, a search's batches, the
// optimal search's joins) call progress::tick; with no hook installed (the
// CLI) that is one atomic load. An installed hook sees every tick, from
// whichever thread makes it, and may throw progress::Interrupted to stop the
// call: results already stored (a sweep's finished points) stay stored.
#pragma once

#include <cstdint>

namespace einflow::progress {

// What a tick says: the loop (`what`, a string literal), how far (`done` of
// `total`; total 0 when not known).
struct Tick {
  const char* what = "";
  double done = 0;
  double total = 0;
};

// Thrown by a hook to stop the call. Deliberately not a std::exception, so
// that the library's handlers of failed points and candidates (which catch
// std::exception) pass it on to the caller.
struct Interrupted {};

using Hook = void (*)(const Tick& tick, void* context);

// Installs the process-wide hook (nullptr removes it). Not for concurrent
// embedders: the Python module holds one call at a time. A hook must accept
// a null context (a tick racing the hook's removal).
void set_hook(Hook hook, void* context);

// Calls the hook, if one is installed. May throw Interrupted.
void tick(const char* what, double done, double total);

}  // namespace einflow::progress
