#include "common/progress.h"

#include <atomic>

namespace einflow::progress {

namespace {
std::atomic<Hook> g_hook{nullptr};
std::atomic<void*> g_context{nullptr};
}  // namespace

// A hook is installed after its context and removed before it; a tick racing
// a removal may still see the hook with a null context (hooks check for it).
void set_hook(Hook hook, void* context) {
  if (hook) {
    g_context.store(context);
    g_hook.store(hook);
  } else {
    g_hook.store(nullptr);
    g_context.store(nullptr);
  }
}

void tick(const char* what, double done, double total) {
  const Hook hook = g_hook.load(std::memory_order_acquire);
  if (hook) hook(Tick{what, done, total}, g_context.load());
}

}  // namespace einflow::progress
