#!/usr/bin/env bash
# run_fuzz_target.sh <binary> <corpus dir> <seconds>
# Replays every corpus file (regression: kept crashers live there too), then
# fuzzes for <seconds> into a scratch copy so the tree stays untouched.
set -euo pipefail
bin=$1 corpus=$2 seconds=$3
[ -d "$corpus" ] || { echo "corpus $corpus missing" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" -runs=0 "$corpus"
cp -r "$corpus"/. "$work"/
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  "$work" 2>&1 | tail -n 15
exit "${PIPESTATUS[0]}"
