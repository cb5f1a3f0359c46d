#!/usr/bin/env bash
# Checks that two einflow binaries give byte-identical results on what users
# rely on (issue 16's "behaviour does not change"): `simulate --verify` and
# `evaluate` on every configs/examples/ case (text and --json), the quickstart
# study's results.csv and report.md, and the full FuseMax study's results.csv.
# Provenance columns (einflow version, git hash) are left out of the comparison.
#   usage: tools/bench/same_outputs.sh OLD_EINFLOW NEW_EINFLOW [--quick]
# --quick skips the full FuseMax study.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
old="$1" new="$2" quick="${3:-}"
work="$(mktemp -d /tmp/einflow-same.XXXXXX)"
trap 'rm -rf "$work"' EXIT
status=0
same() {  # label, file A, file B
  if cmp -s "$2" "$3"; then echo "same       $1"; else echo "DIFFERENT  $1"; diff "$2" "$3" | head -20; status=1; fi
}
# Drops the lines and CSV columns that name the binary (version, git hash) and wall time.
scrub() { grep -v -E 'git|version|seconds wall|wall_seconds|search_seconds' "$1" | sed -E 's/[0-9]+\.[0-9]+ s\b/<s>/g' || true; }
for ex in "$root"/configs/examples/*/; do
  name="$(basename "$ex")"
  args="--arch $ex/arch.yaml --workload $ex/workload.yaml --mapping $ex/mapping.yaml"
  for which in old new; do
    bin="${!which}"
    "$bin" simulate $args --verify > "$work/$which.sim.txt" 2>&1 || true
    "$bin" simulate $args --json > "$work/$which.sim.json" 2>&1 || true
    "$bin" evaluate $args --json > "$work/$which.eval.json" 2>&1 || true
  done
  for kind in sim.txt sim.json eval.json; do
    scrub "$work/old.$kind" > "$work/a"; scrub "$work/new.$kind" > "$work/b"
    same "$name: ${kind/./ }" "$work/a" "$work/b"
  done
done
studies=(fusemax-quick)
[ "$quick" = "--quick" ] || studies+=(fusemax)
for study in "${studies[@]}"; do
  for which in old new; do
    bin="${!which}"
    "$bin" sweep "$root/configs/studies/$study.yaml" --out "$work/$which-$study" > /dev/null
    "$bin" report "$work/$which-$study" --format md,csv > /dev/null
  done
  for f in results.csv report.md; do
    scrub "$work/old-$study/$f" > "$work/a"; scrub "$work/new-$study/$f" > "$work/b"
    same "$study: $f" "$work/a" "$work/b"
  done
done
exit "$status"
