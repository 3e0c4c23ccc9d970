#!/usr/bin/env bash
# Submits a sharded fundrisk run to Slurm: the array of shards, then the merge after them.
#
#   deploy/slurm/submit.sh SCENARIO PATHS SHARDS WORK [extra sbatch options...]
#
# SCENARIO and WORK must be on storage every node sees. FUNDRISK (default: fundrisk on the
# PATH) must be the same build on every node.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,8p' "$0"; exit 2; }
export SCENARIO=$(realpath "$1") PATHS=$2 SHARDS=$3 WORK=$(realpath -m "$4")
shift 4
export FUNDRISK=${FUNDRISK:-$(command -v fundrisk)} FUNDRISK_ARGS=${FUNDRISK_ARGS:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK/shards"
array=$(sbatch --parsable --export=ALL --array=0-$((SHARDS - 1)) "$@" "$here/fundrisk-shards.sbatch")
merge=$(sbatch --parsable --export=ALL --dependency=afterok:"$array" "$here/fundrisk-merge.sbatch")
echo "shards: job $array (array 0-$((SHARDS - 1))); merge: job $merge -> $WORK/run"
