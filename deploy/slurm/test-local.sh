#!/usr/bin/env bash
# A one-node Slurm in a temporary folder, a sharded run submitted through submit.sh, and the
# merged tables compared with a single run byte for byte. Run as root (slurmd needs it) with
# Debian's slurm-wlm and munge installed:
#
#   deploy/slurm/test-local.sh FUNDRISK SCENARIO PATHS SHARDS [TIMEOUT_SECONDS]
#
# Everything lives under a fresh folder (its own munge key and socket, slurm.conf, state, spool,
# logs and pid files); the daemons it started are stopped by their pid files on exit, whatever
# happens. Exit 0: both jobs completed in order and the merged summary.csv, warnings.csv and
# exhaustion.csv equal the single run's. Exit 77: Slurm cannot start here (not root, packages
# missing). Any other exit: the test failed (the logs are printed).
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,13p' "$0"; exit 2; }
FUNDRISK=$(realpath "$1") SCENARIO=$(realpath "$2") PATHS=$3 SHARDS=$4 TIMEOUT=${5:-150}
here=$(cd "$(dirname "$0")" && pwd)

skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (slurmd runs as root)"
for tool in slurmctld slurmd munged sbatch squeue scontrol; do
    command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
    command -v "$tool" >/dev/null 2>&1 || skip "$tool not found (apt-get install slurm-wlm munge)"
done

T=$(mktemp -d /tmp/fundrisk-slurm.XXXXXX)
chmod 755 "$T"
stop() {
    for pid in "$T"/slurmd.pid "$T"/slurmctld.pid "$T"/munged.pid; do
        [ -s "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    done
    sleep 1
    for pid in "$T"/slurmd.pid "$T"/slurmctld.pid "$T"/munged.pid; do
        [ -s "$pid" ] && kill -9 "$(cat "$pid")" 2>/dev/null || true
    done
}
show_logs() {
    for f in "$T"/*.log "$T"/submit/*.out; do
        [ -f "$f" ] && { echo "== $f"; tail -n 30 "$f"; }
    done
}
fail() {
    echo "FAILED: $*"
    show_logs
    exit 1
}
passed=0
finish() {
    stop
    if [ "$passed" = 1 ]; then rm -rf "$T"; else echo "kept for inspection: $T"; fi
}
trap finish EXIT

# munge: a key of its own and a socket in the folder.
mkdir -p "$T"/munge "$T"/state "$T"/spool "$T"/submit "$T"/work
dd if=/dev/urandom of="$T"/munge/munge.key bs=1024 count=1 status=none
chmod 700 "$T"/munge
chmod 400 "$T"/munge/munge.key
munged --force --key-file="$T"/munge/munge.key --socket="$T"/munge/socket \
    --pid-file="$T"/munged.pid --log-file="$T"/munged.log --seed-file="$T"/munge/seed \
    || fail "munged did not start"

node=$(hostname -s)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
cpus=$(nproc)
cat > "$T"/slurm.conf <<EOF
ClusterName=fundrisk-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$T/slurm.conf
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N "$node" || fail "slurmd did not start"

# Wait until the node is idle.
for _ in $(seq 1 60); do
    state=$(sinfo -h -N -o %T 2>/dev/null | head -n 1 || true)
    case "$state" in idle*) break ;; esac
    sleep 1
done
case "${state:-}" in idle*) ;; *) fail "the node is not idle: '${state:-}'" ;; esac

# The sharded run through submit.sh, from the folder the job logs go to.
cd "$T"/submit
out=$(FUNDRISK=$FUNDRISK "$here"/submit.sh "$SCENARIO" "$PATHS" "$SHARDS" "$T"/work \
    --cpus-per-task=1 --mem=1G)
echo "$out"
array=$(echo "$out" | sed -n 's/^shards: job \([0-9]*\) .*/\1/p')
merge=$(echo "$out" | sed -n 's/.*merge: job \([0-9]*\) .*/\1/p')
[ -n "$array" ] && [ -n "$merge" ] || fail "submit.sh did not report its jobs"

job_field() { scontrol show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }
deadline=$((SECONDS + TIMEOUT))
while :; do
    merge_state=$(job_field "$merge" JobState)
    case "$merge_state" in
        COMPLETED) break ;;
        FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) fail "the merge job ended $merge_state" ;;
    esac
    # A shard that failed leaves the merge pending forever (DependencyNeverSatisfied).
    reason=$(job_field "$merge" Reason)
    [ "$reason" = DependencyNeverSatisfied ] && fail "a shard job failed: the merge can never run"
    [ $SECONDS -lt $deadline ] || fail "the jobs did not finish in $TIMEOUT s (merge: $merge_state)"
    sleep 2
done
# Every shard completed, and the merge started only after the last shard ended.
last_shard_end=0
for k in $(seq 0 $((SHARDS - 1))); do
    s=$(job_field "${array}_$k" JobState)
    [ "$s" = COMPLETED ] || fail "shard $k ended $s"
    end=$(date -d "$(job_field "${array}_$k" EndTime)" +%s)
    [ "$end" -gt "$last_shard_end" ] && last_shard_end=$end
done
merge_start=$(date -d "$(job_field "$merge" StartTime)" +%s)
[ "$merge_start" -ge "$last_shard_end" ] || fail "the merge started before the last shard ended"

# The single run of the same paths.
"$FUNDRISK" run "$SCENARIO" --paths "$PATHS" ${FUNDRISK_ARGS:-} --out "$T"/single >/dev/null
for table in summary.csv warnings.csv exhaustion.csv; do
    cmp "$T"/single/$table "$T"/work/run/$table || fail "$table differs from the single run"
done
echo "ok: $SHARDS shards and the merge ran under Slurm; the merged tables equal the single run"
passed=1
