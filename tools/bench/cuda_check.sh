#!/usr/bin/env bash
# The CUDA backend's device check: one call on a GPU machine (a few minutes
# once built). It builds with the backend on (incrementally, in BUILD_DIR),
# then runs
#   1. the GPU tests (cuda_backend_tests): the generated kernels and the fast
#      kernels on the device against the golden kernels; they must run, and
#      the check fails if they skip for want of a GPU;
#   2. einflow check --backend cuda on every zoo model's layer at small sizes
#      (prefill, and decode for decoders) against the CPU golden implementation;
#   3. einflow_bench_cuda: the fast kernels against cuBLAS at 4096^3, at a
#      BERT-Base layer's shapes (4K tokens, batch 8) and at a Llama-3-8B decode
#      step's (32K cache): agreement with FP32 references and times as ratios;
#   4. (not with --quick) the GPU attention studies' shapes timed into
#      configs/studies/measured/gpu-attention.csv, and the two studies swept
#      and reported with those times beside the model's;
#   5. (not with --quick) whole layers at those sizes through the generated
#      kernels (FP64): einflow check --backend cuda on BERT-Base at 4K tokens,
#      batch 8, and on a Llama-3-8B decode step against a 32K cache.
# Usage: tools/bench/cuda_check.sh [BUILD_DIR] [--quick]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$root/build/cuda"
quick=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=(--quick) ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "cuda_check.sh: unknown option $arg" >&2; exit 2 ;;
    *) build="$arg" ;;
  esac
done
start=$(date +%s)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DEINFLOW_CUDA=ON -DEINFLOW_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target cuda_backend_tests einflow einflow_bench_cuda >/dev/null
echo "built in $(( $(date +%s) - start )) s"
if command -v nvidia-smi >/dev/null; then nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader; fi

echo "== 1. GPU tests"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
"$build/tests/cuda_backend_tests" > "$log" 2>&1 || status=$?
grep -E '^\[ +(OK|SKIPPED|FAILED) +\]' "$log" || true
if [ "$status" -ne 0 ]; then tail -40 "$log"; exit 1; fi
if grep -Eq 'SKIPPED +\] .*OnAGpu' "$log"; then
  grep -A1 'Skipped' "$log" | head -4
  echo "cuda_check: the GPU tests skipped: no usable GPU" >&2
  exit 1
fi

echo "== 2. einflow check --backend cuda, every zoo model's layer at small sizes"
for f in "$root"/configs/workloads/*.yaml; do
  phases=(prefill)
  grep -q '^  kind: encoder' "$f" || phases+=(decode)
  for phase in "${phases[@]}"; do
    printf '%-28s %-8s ' "$(basename "$f" .yaml)" "$phase"
    "$build/tools/einflow" check "$f" --backend cuda --set instance.scope=layer --set instance.seq_len=8 \
      --set instance.block=4 --set instance.phase="$phase" | tail -1
  done
done

echo "== 3. fast kernels against cuBLAS"
"$build/tools/bench/einflow_bench_cuda" "${quick[@]}"
if [ ${#quick[@]} -eq 0 ]; then
  echo "== 4. the GPU attention studies' shapes, measured"
  measured="$root/configs/studies/measured/gpu-attention.csv"
  "$build/tools/bench/einflow_bench_cuda" --measure "$measured"
  for study in flash-attention decode-attention; do
    out="$build/studies/$study"
    rm -rf "$out"
    "$build/tools/einflow" sweep "$root/configs/studies/$study.yaml" --out "$out" >/dev/null
    "$build/tools/einflow" report "$out" --format md,csv >/dev/null
    echo "$study: measured beside the model in $out/report.md"
  done
  echo "== 5. whole layers at size, generated kernels against the CPU golden"
  for args in "bert-base.yaml --set instance.seq_len=4K --set instance.batch=8" \
              "llama3-8b.yaml --set instance.phase=decode --set instance.seq_len=32K --set instance.batch=1"; do
    read -r -a a <<< "$args"
    echo "${a[*]}"
    t0=$(date +%s)
    "$build/tools/einflow" check "$root/configs/workloads/${a[0]}" "${a[@]:1}" --backend cuda --variant 1pass \
      --set instance.scope=layer --tolerance 1e-9
    echo "($(( $(date +%s) - t0 )) s)"
  done
fi
echo "cuda_check: passed in $(( $(date +%s) - start )) s"
