#!/usr/bin/env bash
# Single-Einsum search quality (mappers/README.md, "Search quality"): on the
# Eyeriss-like preset, the ResNet-50 and VGG-16 3x3 convolutions and the
# 1024^3 matmul of tools/bench/data; per case the reference EDP (the best
# that descent, annealing and genetic find with 100 times the budget: 100 s
# each, one thread), then per algorithm five 1-s runs on one thread: how many
# came within 1.10x and 1.01x of the reference, how soon, and the worst final
# ratio. Writes OUT/reference.csv and OUT/quality.csv (one row per run).
# By default the references are those of tools/bench/data/
# search-quality-reference.csv (descent's best of 100 s, every case), and the
# runs take about four minutes; REFERENCE `fresh` runs the 100-s searches
# again (about 50 minutes), or name a reference.csv of an earlier run.
#   usage: tools/bench/search_quality.sh [BUILD] [OUT] [REFERENCE.csv|fresh]
#          (default build/release, search-quality)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build/release}"
out="${2:-search-quality}"
bench="$build/tools/bench/einflow_bench_search_quality"
[ -x "$bench" ] || cmake --build "$build" --target einflow_bench_search_quality
args=(--seconds 1 --factor 100 --runs 5 --algorithms descent,annealing,genetic,random --out "$out")
reference="${3:-$root/tools/bench/data/search-quality-reference.csv}"
if [ "$reference" != fresh ]; then
  args+=(--reference "$reference")
else
  # The reference: the three searches that can find it (random cannot), 100 s each.
  "$bench" --seconds 1 --factor 100 --runs 0 --algorithms descent,annealing,genetic --out "$out/reference-run"
  args+=(--reference "$out/reference-run/reference.csv")
fi
"$bench" "${args[@]}"
