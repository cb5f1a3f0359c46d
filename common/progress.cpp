#include "common/progress.h"

#include <atomic>

namespace einflow::progress {

namespace {
std::atomic<Hook> g_hook{nullptr};
std::atomic<void*> g_context{nullptr};
}  // namespace

void set_hook(Hook hook, void* context) {
  g_context.store(context);
  g_hook.store(hook);
}

void tick(const char* what, double done, double total) {
  const Hook hook = g_hook.load(std::memory_order_acquire);
  if (hook) hook(Tick{what, done, total}, g_context.load());
}

}  // namespace einflow::progress
