#!/usr/bin/env bash
# Runs `fundrisk run` and the NumPy reference on the same scenario and path count, one after the
# other, and prints wall time, peak memory (from /usr/bin/time -v) and their ratios; then checks
# that the two summaries agree within Monte Carlo error.
#
#   benches/compare.sh [SCENARIO] [PATHS] [THREADS]
#   (defaults: scenarios/national-2025.toml, the default of `fundrisk run`, 10000, all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/national-2025.toml}
paths=${2:-10000}
threads=${3:-$(nproc)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package: time)"; exit 2; }
python3 -c "import numpy" 2>/dev/null || { echo "needs python3 with numpy"; exit 2; }
cargo build --release --quiet

measure() { # label, command...
    local label=$1; shift
    /usr/bin/time -v "$@" > "$work/$label.out" 2> "$work/$label.time"
    local wall rss
    wall=$(grep "Elapsed (wall clock)" "$work/$label.time" | awk '{print $NF}' \
        | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(grep "Maximum resident set size" "$work/$label.time" | awk '{print $NF}')
    echo "$wall $rss"
}

read -r rust_wall rust_kb < <(measure rust ./target/release/fundrisk run "$scenario" \
    --paths "$paths" --threads "$threads" --out "$work/rust")
read -r ref_wall ref_kb < <(measure numpy python3 benches/reference/fundrisk_ref.py "$scenario" \
    --paths "$paths" --seed 1 --summary "$work/rust/summary.csv")

printf '%-22s %10s %12s\n' "" "wall s" "peak MiB"
printf '%-22s %10.2f %12.1f\n' "fundrisk ($threads threads)" "$rust_wall" "$(echo "$rust_kb/1024" | bc -l)"
printf '%-22s %10.2f %12.1f\n' "NumPy reference" "$ref_wall" "$(echo "$ref_kb/1024" | bc -l)"
printf '%-22s %10.1fx %11.1fx\n' "NumPy / fundrisk" "$(echo "$ref_wall/$rust_wall" | bc -l)" \
    "$(echo "$ref_kb/$rust_kb" | bc -l)"
grep -E "^(simulated|summary|disagrees)" "$work/numpy.out" || true
