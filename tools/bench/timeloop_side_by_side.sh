#!/usr/bin/env bash
# einflow's search beside Timeloop's mapper (issue 21) on Timeloop's own
# Eyeriss-like exercise and VGG02 layer 5: the timeloop-accelergy-exercises
# folder exercises/2020.ispass/timeloop/06-mapper-convlayer-eyeriss (arch/,
# constraints/, mapper/, prob/VGG02_layer5.yaml). Needs timeloop-mapper (and
# Accelergy) on PATH; neither is a Debian package, so nothing here installs them.
#
# 1. timeloop-mapper on the exercise, its mapper file with num-threads: 1,
#    timed; its best mapping, ERT and summary (cycles, energy) kept.
# 2. einflow import timeloop: the architecture (with the ERT), the problem,
#    Timeloop's best mapping and the constraints (both files) as einflow YAML;
#    reuse_model: timeloop, so einflow counts as Timeloop's nest analysis does.
# 3. einflow evaluate of Timeloop's best mapping (the same EDP, if the models agree).
# 4. einflow map with algorithm: descent under the same constraints, one
#    thread, a hundredth of Timeloop's time; its EDP beside Timeloop's.
#   usage: tools/bench/timeloop_side_by_side.sh EXERCISE_DIR [EINFLOW] [OUT]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ex="${1:?usage: $0 EXERCISE_DIR [EINFLOW] [OUT]}"
einflow="${2:-$root/build/release/tools/einflow}"
out="${3:-timeloop-side-by-side}"
command -v timeloop-mapper > /dev/null || { echo "timeloop-mapper is not on PATH" >&2; exit 2; }
[ -f "$ex/prob/VGG02_layer5.yaml" ] || { echo "$ex: no prob/VGG02_layer5.yaml" >&2; exit 2; }
mkdir -p "$out/timeloop" "$out/einflow/import"
ex="$(cd "$ex" && pwd)"
out="$(cd "$out" && pwd)"

# 1. Timeloop, one thread.
sed 's/^\( *\)num-threads:.*/\1num-threads: 1/' "$ex/mapper/mapper.yaml" > "$out/timeloop/mapper.yaml"
grep -q 'num-threads' "$out/timeloop/mapper.yaml" || sed -i 's/^mapper:/mapper:\n  num-threads: 1/' "$out/timeloop/mapper.yaml"
cat "$ex"/constraints/*.yaml > "$out/constraints.yaml"
start=$(date +%s.%N)
(cd "$out/timeloop" && timeloop-mapper "$ex/arch/eyeriss_like.yaml" "$ex"/arch/components/*.yaml \
  "$ex"/constraints/*.yaml "$out/timeloop/mapper.yaml" "$ex/prob/VGG02_layer5.yaml" > timeloop.log 2>&1)
tl_seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.3f", b - a}')
tl_cycles=$(grep -m1 -E '^ *Cycles *:' "$out/timeloop/timeloop-mapper.stats.txt" | awk '{print $NF}')
tl_energy_uj=$(grep -m1 -E '^ *Energy *:' "$out/timeloop/timeloop-mapper.stats.txt" | awk '{print $(NF-1)}')
tl_edp=$(awk -v c="$tl_cycles" -v e="$tl_energy_uj" 'BEGIN {printf "%.6g", c * e * 1e6}')   # cycles x pJ

# 2. The same inputs in einflow.
"$einflow" import timeloop "$ex/arch/eyeriss_like.yaml" "$ex/prob/VGG02_layer5.yaml" \
  "$out/timeloop/timeloop-mapper.map.yaml" --ert "$out/timeloop/timeloop-mapper.ERT.yaml" \
  --constraints "$out/constraints.yaml" --out "$out/einflow/import" > "$out/einflow/import.log"
arch=$(ls "$out"/einflow/import/*.arch.yaml)
work=$(ls "$out"/einflow/import/*.workload.yaml)
mapping=$(ls "$out"/einflow/import/*.mapping.yaml)
mapper_in=$(ls "$out"/einflow/import/*.mapper.yaml 2> /dev/null || true)

# 3. Timeloop's best mapping under einflow's model.
"$einflow" evaluate --arch "$arch" --workload "$work" --mapping "$mapping" --json > "$out/einflow/timeloop-best.json"

# 4. einflow's search: a hundredth of Timeloop's time, one thread, the same constraints.
budget=$(awk -v t="$tl_seconds" 'BEGIN {printf "%.4f", t / 100}')
{
  echo "mapper:"
  echo "  algorithm: descent"
  echo "  objective: edp"
  echo "  threads: 1"
  echo "  max_evaluations: 0"
  echo "  max_seconds: $budget"
  [ -n "$mapper_in" ] && sed '1d' "$mapper_in"
} > "$out/einflow/descent.mapper.yaml"
"$einflow" map --arch "$arch" --workload "$work" --mapper "$out/einflow/descent.mapper.yaml" \
  --out "$out/einflow/map" > "$out/einflow/map.log"
python3 - "$out" "$tl_seconds" "$tl_cycles" "$tl_energy_uj" "$tl_edp" <<'PY'
import csv, glob, json, sys
out, tl_s, tl_cycles, tl_uj, tl_edp = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
tl_in = json.load(open(f"{out}/einflow/timeloop-best.json"))
top = next(csv.DictReader(open(glob.glob(f"{out}/einflow/map/*/top.csv")[0])))
stats = json.load(open(glob.glob(f"{out}/einflow/map/*/stats.json")[0]))
def edp(s): return float(s["cycles"]) * float(s["energy_pj"])
print(f"{'':34} {'seconds':>9} {'cycles':>12} {'energy pJ':>14} {'EDP':>12}")
print(f"{'Timeloop mapper (1 thread)':34} {tl_s:9.2f} {tl_cycles:12.0f} {tl_uj * 1e6:14.4g} {tl_edp:12.4g}")
print(f"{'its mapping in einflow':34} {'':>9} {float(tl_in['cycles']):12.0f} {float(tl_in['energy_pj']):14.4g} {edp(tl_in):12.4g}")
print(f"{'einflow descent (1 thread)':34} {tl_s / 100:9.2f} {float(top['cycles']):12.0f} {float(top['energy_pj']):14.4g} {float(top['cost']):12.4g}")
print(f"einflow / Timeloop EDP (einflow's model for both): {float(top['cost']) / edp(tl_in):.4f}")
PY
