#!/usr/bin/env bash
# The Slurm integration test: a real single-node Slurm (slurmctld + slurmd on
# localhost, munge for authentication; shared/reference/slurm.md), started and
# stopped here. It runs a sweep as a job array of 3 shards plus the merge job,
# checks the merged results equal a local run, then deletes one shard's store
# and checks that --resume --slurm resubmits that shard alone and gets the same
# results again. Exit 77 (reported by ctest as skipped, never as passed) when
# Slurm cannot be installed or started here.
#
# Nothing here depends on timing: output is matched from variables (never a
# pipe into `grep -q`, which under pipefail fails the test when the writer dies
# of SIGPIPE), the jobs are waited for by their own ids until Slurm reports a
# final state (an unanswered query is retried, never read as "done"), waits are
# deadlines in seconds, not counts of polls, and the daemons are waited out
# when stopped so that the next run finds its ports free; runs on one machine
# take turns (a lock file), so two builds' suites can run at once.
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

# One Slurm test at a time on a machine (its daemons listen on fixed ports):
# a second run, from another build or checkout, waits for the first.
exec 9>/tmp/einflow-slurm-test.lock
flock -w 1200 9 || skip "another Slurm test held the machine for 20 minutes"

D="$(mktemp -d /tmp/einflow-slurm.XXXXXX)"
chmod 755 "$D"
host="$(hostname -s)"
# has OUTPUT TEXT: whether the text occurs in the output (no pipe, no SIGPIPE).
has() { [[ "$1" == *"$2"* ]]; }
cleanup() {
  # Only what this test started, by its pid files; each is waited for (up to
  # 30 s) so that its port and files are free when this returns.
  local pids=()
  for f in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munge/munged.pid"; do
    [ -s "$f" ] && pids+=("$(cat "$f")")
  done
  for p in "${pids[@]}"; do $sudo kill "$p" 2>/dev/null; done
  local end=$((SECONDS + 30))
  for p in "${pids[@]}"; do
    while $sudo kill -0 "$p" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
    $sudo kill -9 "$p" 2>/dev/null
  done
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
end=$((SECONDS + 60))
while [ ! -S "$D/munge/munge.socket.2" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
cred="$(munge -S "$D/munge/munge.socket.2" -n 2>&1)" || skip "munge does not encode: $cred"
auth="$(unmunge -S "$D/munge/munge.socket.2" <<<"$cred" 2>&1)"
[[ "$auth" =~ STATUS:\ *Success ]] || skip "munge does not authenticate: $auth"

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
MinJobAge=3600
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
$sudo env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmctld -c || skip "slurmctld does not start"
$sudo env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmd -c || skip "slurmd does not start"
# The node registers within seconds on an idle machine; a loaded one gets two minutes.
up=0
end=$((SECONDS + 120))
while [ "$SECONDS" -lt "$end" ]; do
  state="$(sinfo -h -o '%T' 2>/dev/null)" && [[ "$state" == idle* ]] && { up=1; break; }
  sleep 0.2
done
[ "$up" -eq 1 ] || skip "the node does not come up: $(sinfo 2>&1)"

sweep="$src/tests/data/sweep/tiny.yaml"
"$einflow" sweep "$sweep" --out "$D/local" >/dev/null || fail "local sweep"
"$einflow" report "$D/local" --format csv >/dev/null || fail "local report"

# wait_jobs OUTPUT: waits for the job array and the merge job that `sweep
# --slurm` reported submitting ("submitted job array A (tasks T) and merge job
# M") to reach a final state, by asking Slurm for each job by its id (MinJobAge
# keeps finished jobs visible); a query Slurm does not answer is asked again,
# never taken for "finished". The merge job must end COMPLETED.
job_state() {  # job id -> the states of its records (an array has one per task), or fails
  local info
  info="$(scontrol -o show job "$1" 2>/dev/null)" || return 1
  [[ "$info" == *JobState=* ]] || return 1
  local states=() line
  while IFS= read -r line; do
    [[ "$line" =~ JobState=([A-Z_]+) ]] && states+=("${BASH_REMATCH[1]}")
  done <<<"$info"
  echo "${states[*]}"
}
final() {  # states -> whether every one is final
  local s
  for s in $1; do
    case "$s" in
      COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED) ;;
      *) return 1 ;;
    esac
  done
}
wait_jobs() {
  [[ "$1" =~ submitted\ job\ array\ ([0-9]+).*merge\ job\ ([0-9]+) ]] || fail "no job ids in: $1"
  local array="${BASH_REMATCH[1]}" merge="${BASH_REMATCH[2]}" end=$((SECONDS + 900)) a="" m=""
  while [ "$SECONDS" -lt "$end" ]; do
    if a="$(job_state "$array")" && m="$(job_state "$merge")" && final "$a" && final "$m"; then
      [ "$m" = COMPLETED ] || fail "the merge job $merge ended $m (array $array: $a)"
      return 0
    fi
    sleep 0.5
  done
  fail "the jobs did not finish in 900 s: array $array ($a), merge $merge ($m)"
}
same_as_local() {
  "$einflow" report "$D/cluster" --format csv >/dev/null || fail "cluster report"
  diff <(grep -v '^#' "$D/local/results.csv") <(grep -v '^#' "$D/cluster/results.csv") > "$D/diff.log" ||
    { head -c 600 "$D/diff.log"; fail "merged results differ from the local run ($1)"; }
}

out="$("$einflow" sweep "$sweep" --out "$D/cluster" --slurm --array 3 --sbatch-opt=--time=10 2>&1)" || fail "submit: $out"
has "$out" "submitted job array" || fail "not submitted: $out"
wait_jobs "$out"
[ -f "$D/cluster/results.pb" ] || fail "the merge job wrote nothing"
same_as_local "first submission"

rm -f "$D/cluster/shards/1/results.pb" "$D/cluster/results.pb"
out="$("$einflow" sweep "$sweep" --out "$D/cluster" --slurm --resume 2>&1)" || fail "resubmit: $out"
has "$out" "1 to run" || fail "expected one shard to rerun: $out"
has "$out" "(tasks 1)" || fail "expected task 1 alone: $out"
wait_jobs "$out"
same_as_local "after resubmitting shard 1"

out="$("$einflow" sweep "$sweep" --out "$D/cluster" --slurm --resume 2>&1)" || fail "resume when complete: $out"
has "$out" "every shard is complete" || fail "expected nothing to run: $out"
echo "PASSED: Slurm job array of 3 shards and the merge equal the local run; resubmission ran shard 1 alone"
