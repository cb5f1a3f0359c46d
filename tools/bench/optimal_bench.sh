#!/usr/bin/env bash
# The optimal cascade search against today's default search (annealing, its
# default budget of 20000 points), both on one core (mappers/README.md,
# "Optimal cascade search"): BERT-Base's 1-pass attention at 4K tokens, batch
# 64, on fusemax-cloud, and a Llama-3-8B decode step's attention (8K keys in
# the cache) on the hybrid fusemax-pim. Per case and search: wall seconds,
# cycles, energy, EDP, and for optimal the partial mappings generated,
# bounded, kept and joined (and per second) and the space it is optimal over.
#   usage: tools/bench/optimal_bench.sh [EINFLOW] [MAPPER]
#   (defaults build/release/tools/einflow, configs/mappers/optimal.yaml)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
einflow="${1:-$root/build/release/tools/einflow}"
optimal="${2:-$root/configs/mappers/optimal.yaml}"
# shellcheck source=tools/bench/timed.sh
source "$root/tools/bench/timed.sh"
printf 'mapper:\n  algorithm: annealing\n  threads: 1\n' > "$work/annealing.yaml"
cases=(
  "bert-base-4K-b64|configs/arch/fusemax-cloud.yaml|configs/workloads/bert-base.yaml|--set instance.batch=64 --set instance.seq_len=4K"
  "llama3-8b-decode-8K|configs/arch/fusemax-pim.yaml|configs/workloads/llama3-8b.yaml|--set instance.phase=decode --set instance.scope=attention --set instance.seq_len=8K"
)
for c in "${cases[@]}"; do
  IFS='|' read -r name arch workload sets <<< "$c"
  for mapper in "$optimal" "$work/annealing.yaml"; do
    # shellcheck disable=SC2086
    timed "$einflow" map --arch "$root/$arch" --workload "$root/$workload" $sets --variant 1pass --fuse \
      --mapper "$mapper" --out "$work/out-$name"
    python3 - "$work/out-$name/stats.json" "$name" "$ms" "$rss" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:22} {j['algorithm']:10} {int(sys.argv[3]) / 1000:8.2f} s  {sys.argv[4]:>8} KiB  "
      f"{j['cycles']:>12} cycles  {j['energy_pj']:.4e} pJ  EDP {j['cycles'] * j['energy_pj']:.4e}  {j['groups']} group(s)")
if "partial_mappings" in j:
    n = j["partial_mappings"]
    print(f"{'':22} partial mappings: {n['generated']} generated ({n['generated_per_second']:.0f}/s), "
          f"{n['bounded']} bounded, {n['costed']} costed, {n['kept']} kept, {n['joined']} joined; "
          f"{n['runs']} runs searched, {n['runs_bounded']} bounded whole"
          + ("; the best is the incumbent, outside the stated space" if j["best_is_seed"] else ""))
    print(f"{'':22} optimal over: {j['optimal_over']}")
PY
  done
done
