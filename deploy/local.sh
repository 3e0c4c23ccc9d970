#!/usr/bin/env bash
# A local stand-in for a batch engine: runs M shard processes of one Monte Carlo run on this
# machine (at most PARALLEL at a time), then merges them into the run's outputs.
#
#   deploy/local.sh SCENARIO PATHS SHARDS OUT [PARALLEL]
#
# SCENARIO may be "default" for the embedded scenario. The shards go to OUT/shards/K, the merged
# run to OUT/run. FUNDRISK names the binary (default: target/release/fundrisk, else fundrisk on
# the PATH). Extra options for every shard (e.g. --seed 7) can be given in FUNDRISK_ARGS.
set -euo pipefail
if [ $# -lt 4 ]; then
    sed -n '2,10p' "$0"
    exit 2
fi
scenario=$1 paths=$2 shards=$3 out=$4 parallel=${5:-$(nproc)}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${FUNDRISK:-$here/target/release/fundrisk}
[ -x "$bin" ] || bin=$(command -v fundrisk) || { echo "no fundrisk binary (set FUNDRISK)"; exit 2; }
scenario_args=()
[ "$scenario" = default ] || scenario_args=("$scenario")
mkdir -p "$out/shards"
export bin paths shards out
export scenario_args_str="${scenario_args[*]:-}"
seq 0 $((shards - 1)) | xargs -P "$parallel" -I{} sh -c \
    '"$bin" run $scenario_args_str --paths "$paths" --shard {}/"$shards" --threads 1 ${FUNDRISK_ARGS:-} --out "$out/shards/{}"'
dirs=()
for k in $(seq 0 $((shards - 1))); do dirs+=("$out/shards/$k"); done
"$bin" merge "${dirs[@]}" --out "$out/run" ${scenario_args:+--scenario "$scenario"}
