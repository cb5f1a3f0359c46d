#!/usr/bin/env bash
# Sweep and report speed: the reduced FuseMax study of tools/quickstart (target:
# the whole quickstart study in under two minutes) and the full FuseMax
# evaluation, each swept into a fresh directory with every hardware thread and
# then reported in every format. Prints wall seconds, points per second and the
# peak resident memory of each step.
#   usage: tools/bench/sweep_bench.sh [EINFLOW]   (default build/release/tools/einflow)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
einflow="${1:-$root/build/release/tools/einflow}"
# shellcheck source=tools/bench/timed.sh
source "$root/tools/bench/timed.sh"
measure() {  # label, command...
  local label="$1"
  shift
  timed "$@"
  printf '%-34s %5d.%03d s  %8s KiB peak\n' "$label" $((ms / 1000)) $((ms % 1000)) "$rss"
}
for study in fusemax-quick fusemax; do
  spec="$root/configs/studies/$study.yaml"
  measure "sweep $study" "$einflow" sweep "$spec" --out "$work/$study"
  grep -m1 -o '[0-9]* points' "$work/out" | sed "s/^/  /"
  measure "report $study (all formats)" "$einflow" report "$work/$study" --format md,csv,json,tex,plots,mappings
done
