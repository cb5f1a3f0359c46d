#!/usr/bin/env bash
# COSMA's memory scheduling (mappers/README.md, "Memory scheduling (COSMA)"):
# the study configs/studies/cosma.yaml (three layers, prefill and decode, three
# budgets, 30 s solver limit each) swept on one core, then per point the
# non-compulsory traffic of COSMA and of the two arena baselines, the
# reduction, the solver's status and time. Prints the sweep's wall seconds
# and peak memory first. configs/studies/cosma.md holds the figures measured.
#   usage: tools/bench/cosma_bench.sh [EINFLOW]   (default build/release/tools/einflow)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
einflow="${1:-$root/build/release/tools/einflow}"
# shellcheck source=tools/bench/timed.sh
source "$root/tools/bench/timed.sh"
timed "$einflow" sweep "$root/configs/studies/cosma.yaml" --out "$work/cosma" --jobs 1
printf 'sweep cosma (one core)  %d.%03d s  %s KiB peak\n' $((ms / 1000)) $((ms % 1000)) "$rss"
"$einflow" report "$work/cosma" --format csv > /dev/null
python3 - "$work/cosma/results.csv" <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
mib = 1024 * 1024
def fig(r, k):
    v = r.get("fig_" + k, "")
    return float(v) if v else math.nan
print(f"{'workload':14} {'phase':8} {'budget':9} {'arena given':>12} {'arena peak':>12} {'COSMA':>10} {'cut':>6} {'status':>10} {'s':>6}")
for r in rows:
    a, p, c = (fig(r, k) for k in ("arena_given_noncompulsory_bytes", "arena_min_peak_noncompulsory_bytes",
                                   "cosma_noncompulsory_bytes"))
    base = min(x for x in (a, p, math.inf) if not math.isnan(x))
    cut = "" if base in (0, math.inf) else f"{100 * (1 - c / base):.0f}%"
    status = "optimal" if fig(r, "cosma_optimal") == 1 else "limit"
    print(f"{r['workload_name'][:14]:14} {r['workload.instance.phase']:8} {r['mapper.budget']:9} "
          f"{a / mib:12.3f} {p / mib:12.3f} {c / mib:10.3f} {cut:>6} {status:>10} {fig(r, 'cosma_solve_seconds'):6.1f}")
PY
