#!/usr/bin/env bash
# The Slurm integration test: a real single-node Slurm (slurmctld + slurmd on
# localhost, munge for authentication; shared/reference/slurm.md), started and
# stopped here. It runs a sweep as a job array of 3 shards plus the merge job,
# checks the merged results equal a local run, then deletes one shard's store
# and checks that --resume --slurm resubmits that shard alone and gets the same
# results again. Exit 77 (reported by ctest as skipped, never as passed) when
# Slurm cannot be installed or started here.
#   usage: slurm_test.sh EINFLOW SOURCE_DIR
set -uo pipefail
einflow="$1"
src="$2"
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; for f in "$D"/*.log; do echo "--- $f"; tail -20 "$f"; done; exit 1; }

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else skip "needs root (or sudo) to run slurmd"; fi
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 $sudo apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1 ||
    { timeout 600 $sudo apt-get update -qq >/dev/null 2>&1 &&
      timeout 600 $sudo apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1; } ||
    skip "cannot install slurm-wlm and munge"
fi

D="$(mktemp -d /tmp/einflow-slurm.XXXXXX)"
chmod 755 "$D"
host="$(hostname -s)"
cleanup() {
  # Only what this test started, by its pid files.
  for pid in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munge/munged.pid"; do
    [ -s "$pid" ] && $sudo kill "$(cat "$pid")" 2>/dev/null
  done
  sleep 0.5
  $sudo rm -rf "$D"
}
trap cleanup EXIT

# munge: our own key, socket, pid and log, run as the munge user.
mkdir -p "$D/munge"
head -c 1024 /dev/urandom > "$D/munge/munge.key"
$sudo chown -R munge:munge "$D/munge" 2>/dev/null || skip "no munge user"
$sudo chmod 755 "$D/munge"
$sudo chmod 400 "$D/munge/munge.key"
$sudo runuser -u munge -- /usr/sbin/munged --key-file="$D/munge/munge.key" --socket="$D/munge/munge.socket.2" \
  --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" --seed-file="$D/munge/munged.seed" ||
  skip "munged does not start"
for _ in $(seq 50); do [ -S "$D/munge/munge.socket.2" ] && break; sleep 0.1; done
munge -S "$D/munge/munge.socket.2" -n | unmunge -S "$D/munge/munge.socket.2" | grep -q "STATUS: *Success" ||
  skip "munge does not authenticate"

mkdir -p "$D/state" "$D/spool"
export SLURM_CONF="$D/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=einflowtest
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.socket.2
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
$sudo env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmctld -c || skip "slurmctld does not start"
$sudo env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmd -c || skip "slurmd does not start"
up=0
for _ in $(seq 100); do
  if sinfo -h -o '%T' 2>/dev/null | grep -q -E '^idle'; then up=1; break; fi
  sleep 0.2
done
[ "$up" -eq 1 ] || skip "the node does not come up: $(sinfo 2>&1 | tail -2)"

sweep="$src/tests/data/sweep/tiny.yaml"
"$einflow" sweep "$sweep" --out "$D/local" >/dev/null || fail "local sweep"
"$einflow" report "$D/local" --format csv >/dev/null || fail "local report"

wait_queue() {
  for _ in $(seq 600); do
    [ -z "$(squeue -h 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  fail "the jobs did not finish: $(squeue 2>&1)"
}
same_as_local() {
  "$einflow" report "$D/cluster" --format csv >/dev/null || fail "cluster report"
  diff <(grep -v '^#' "$D/local/results.csv") <(grep -v '^#' "$D/cluster/results.csv") > "$D/diff.log" ||
    { head -c 600 "$D/diff.log"; fail "merged results differ from the local run ($1)"; }
}

out="$("$einflow" sweep "$sweep" --out "$D/cluster" --slurm --array 3 --sbatch-opt=--time=10 2>&1)" || fail "submit: $out"
echo "$out" | grep -q "submitted job array" || fail "not submitted: $out"
wait_queue
[ -f "$D/cluster/results.pb" ] || fail "the merge job wrote nothing"
same_as_local "first submission"

rm -f "$D/cluster/shards/1/results.pb" "$D/cluster/results.pb"
out="$("$einflow" sweep "$sweep" --out "$D/cluster" --slurm --resume 2>&1)" || fail "resubmit: $out"
echo "$out" | grep -q "1 to run" || fail "expected one shard to rerun: $out"
echo "$out" | grep -q "(tasks 1)" || fail "expected task 1 alone: $out"
wait_queue
same_as_local "after resubmitting shard 1"

out="$("$einflow" sweep "$sweep" --out "$D/cluster" --slurm --resume 2>&1)" || fail "resume when complete: $out"
echo "$out" | grep -q "every shard is complete" || fail "expected nothing to run: $out"
echo "PASSED: Slurm job array of 3 shards and the merge equal the local run; resubmission ran shard 1 alone"
