#!/usr/bin/env bash
# Cycle-model speed (issue 5): (b) FuseMax's BERT-Base attention at
# M = P = 1K on the FuseMax preset, timing only (target: under 10 s); the same
# on an HBM2 DRAM timed command by command (--dram-timing); (c) functional
# runs at reduced size, verified against the golden interpreter: the same
# attention at M = P = 64 and every example of configs/examples. Prints wall
# seconds, peak resident memory, simulated cycles and simulated cycles per
# second of each. The DRAM model alone: build/release/tools/bench/einflow_bench_dram.
#   usage: tools/bench/cycle_bench.sh [EINFLOW]   (default build/release/tools/einflow)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
einflow="${1:-$root/build/release/tools/einflow}"
# shellcheck source=tools/bench/timed.sh
source "$root/tools/bench/timed.sh"
measure() {  # label, command... (the command prints the cycle model's --json)
  local label="$1"
  shift
  timed "$@"
  local cycles
  cycles="$(grep -m1 -o '"cycles": [0-9]*' "$work/out" | grep -o '[0-9]*$' || echo 0)"
  printf '%-44s %5d.%03d s  %8s KiB peak  %10s cycles  %12s cycles/s\n' "$label" $((ms / 1000)) \
    $((ms % 1000)) "$rss" "$cycles" "$(( ms > 0 ? cycles * 1000 / ms : 0 ))"
}
bert=(--arch "$root/configs/arch/fusemax-cloud.yaml" --workload "$root/configs/workloads/bert-base.yaml"
      --set instance.scope=attention --design fusemax --json)
measure "(b) BERT-Base attention 1K, timing only" \
  "$einflow" simulate "${bert[@]}" --set instance.seq_len=1024 --no-data
sed 's/bandwidth_gbps: .*/standard: HBM2/' "$root/configs/arch/fusemax-cloud.yaml" > "$work/hbm2.yaml"
measure "(b) the same on HBM2, --dram-timing" \
  "$einflow" simulate "${bert[@]/$root\/configs\/arch\/fusemax-cloud.yaml/$work/hbm2.yaml}" \
  --set instance.seq_len=1024 --no-data --dram-timing
measure "(c) BERT-Base attention 64, --verify" \
  "$einflow" simulate "${bert[@]}" --set instance.seq_len=64 --verify
for ex in "$root"/configs/examples/*/; do
  measure "(c) example $(basename "$ex"), --verify" "$einflow" simulate --arch "$ex/arch.yaml" \
    --workload "$ex/workload.yaml" --mapping "$ex/mapping.yaml" --verify --json
done
