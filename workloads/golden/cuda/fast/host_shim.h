// The CUDA built-ins kernels.cuh uses, emulated on the host so that the same
// kernel bodies run on the CPU: each thread of a block is a std::thread with
// its own threadIdx; __syncthreads is a barrier of the block's threads;
// __syncwarp and the shuffles a barrier of the warp's; shared memory is one
// arena per block, handed out in declaration order (every thread declares the
// same arrays, so gets the same addresses); a WMMA fragment is held whole by
// each lane, loaded and multiplied in FP32, stored by lane 0. Included only by
// the host build of the kernels (host.cpp), before kernels.cuh.
#pragma once

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "workloads/golden/cuda/fast/convert.h"

namespace ef_host {

struct Dim {
  unsigned x = 1, y = 1, z = 1;
};

class Barrier {
 public:
  explicit Barrier(int n) : n_(n) {}
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    const unsigned long gen = generation_;
    if (++arrived_ == n_) {
      arrived_ = 0;
      ++generation_;
      cv_.notify_all();
      return;
    }
    cv_.wait(lock, [&] { return generation_ != gen; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int n_, arrived_ = 0;
  unsigned long generation_ = 0;
};

struct Block {
  Dim grid, block, index;
  int threads = 0;
  std::unique_ptr<Barrier> all;
  std::vector<std::unique_ptr<Barrier>> warps;
  std::vector<uint64_t> slots;  // one per thread, for the shuffles
  std::vector<unsigned char> shared;
};

struct Thread {
  Dim tid;
  Block* block = nullptr;
  int linear = 0;
  size_t shared_used = 0;
};

inline thread_local Thread current;

// The next `count` objects of shared memory, 32-byte aligned.
template <class T>
T* shared_array(size_t count) {
  Block& b = *current.block;
  const size_t at = (current.shared_used + 31) / 32 * 32;
  current.shared_used = at + count * sizeof(T);
  if (current.shared_used > b.shared.size()) std::abort();  // more than a GPU block may declare
  return reinterpret_cast<T*>(b.shared.data() + at);
}

inline void sync_block() { current.block->all->wait(); }
inline void sync_warp() { current.block->warps[static_cast<size_t>(current.linear / 32)]->wait(); }

// The value lane `src` of this warp passes.
template <class T>
T exchange(T v, int src) {
  static_assert(sizeof(T) <= 8, "a shuffle moves at most 8 bytes");
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  Block& b = *current.block;
  b.slots[static_cast<size_t>(current.linear)] = bits;
  sync_warp();
  const uint64_t got = b.slots[static_cast<size_t>(current.linear / 32 * 32 + src)];
  sync_warp();
  T r;
  std::memcpy(&r, &got, sizeof(T));
  return r;
}

}  // namespace ef_host

#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define EF_UNROLL
#define EF_SHARED(T, name, n) T* const name = ef_host::shared_array<T>(n)
#define EF_NEG_INF (-HUGE_VALF)
#define threadIdx (ef_host::current.tid)
#define blockIdx (ef_host::current.block->index)
#define blockDim (ef_host::current.block->block)
#define gridDim (ef_host::current.block->grid)

inline void __syncthreads() { ef_host::sync_block(); }
inline void __syncwarp() { ef_host::sync_warp(); }
[[noreturn]] inline void __trap() { std::abort(); }
template <class T>
T __shfl_xor_sync(unsigned, T v, int mask) {
  return ef_host::exchange(v, (ef_host::current.linear % 32) ^ mask);
}
inline void ef_copy16(void* dst, const void* src) { std::memcpy(dst, src, 16); }

struct __half {
  uint16_t bits;
};
struct __nv_bfloat16 {
  uint16_t bits;
};
inline __half __float2half_rn(float f) { return __half{einflow::golden::cuda::fast::float_to_f16(f)}; }
inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __nv_bfloat16{einflow::golden::cuda::fast::float_to_bf16(f)}; }
inline float ef_to_float(__half h) { return einflow::golden::cuda::fast::f16_to_float(h.bits); }
inline float ef_to_float(__nv_bfloat16 h) { return einflow::golden::cuda::fast::bf16_to_float(h.bits); }

namespace nvcuda::wmma {

struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
enum layout_t { mem_row_major };

// The whole 16 x 16 tile, row-major, in every lane.
template <class Use, int M, int N, int K, class T, class Layout = void>
struct fragment {
  T x[M * N];
};

template <class T>
void fill_fragment(fragment<accumulator, 16, 16, 16, T>& f, T v) {
  std::fill(f.x, f.x + 256, v);
}

template <class Use, class T, class L>
void load_matrix_sync(fragment<Use, 16, 16, 16, T, L>& f, const T* p, unsigned ldm) {
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) f.x[r * 16 + c] = p[r * ldm + c];
}

template <class T>
void mma_sync(fragment<accumulator, 16, 16, 16, float>& d, const fragment<matrix_a, 16, 16, 16, T, row_major>& a,
              const fragment<matrix_b, 16, 16, 16, T, row_major>& b, const fragment<accumulator, 16, 16, 16, float>& c) {
  float out[256];
  for (int r = 0; r < 16; ++r)
    for (int col = 0; col < 16; ++col) {
      float s = c.x[r * 16 + col];
      for (int k = 0; k < 16; ++k) s += ef_to_float(a.x[r * 16 + k]) * ef_to_float(b.x[k * 16 + col]);
      out[r * 16 + col] = s;
    }
  std::copy(out, out + 256, d.x);
}

// Lane 0 writes the tile; the warp then meets, so that every lane sees it.
inline void store_matrix_sync(float* p, const fragment<accumulator, 16, 16, 16, float>& f, unsigned ldm, layout_t) {
  if (ef_host::current.linear % 32 == 0)
    for (int r = 0; r < 16; ++r)
      for (int c = 0; c < 16; ++c) p[static_cast<size_t>(r) * ldm + c] = f.x[r * 16 + c];
  ef_host::sync_warp();
}

}  // namespace nvcuda::wmma
