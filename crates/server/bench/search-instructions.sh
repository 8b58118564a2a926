#!/usr/bin/env bash
# Instructions per cold search page, counted by valgrind's callgrind: repeatable for the same
# binary and data whatever else the machine does, where wall-clock runs on two shared cores
# vary by 15 % from one run to the next. Counts what runs under the search page's handler
# (tenant catalogue search, facets, rendering, gzip) for 120 fixed two-word searches on one
# tenant of the 100,000-mission bench data, after its catalogue and vocabulary are loaded.
# Usage: crates/server/bench/search-instructions.sh [themes-dir-parent]
# Not a test: a measurement. Uses valgrind (installed with apt when missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/jesuisaupays/target}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
cargo build --release --quiet -p jesuisaupays
bin=$CARGO_TARGET_DIR/release/jesuisaupays
work=$(mktemp -d)
cleanup() { pkill -f "callgrind-out-file=$work" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
bash crates/server/bench/make-tenants.sh "$work/tenants"
export TENANTS_DIR=$work/tenants DATA_DIR=$work/data RUST_LOG=warn DEMO_DATA=off WEATHER_URL=off BIND_ADDR=127.0.0.1:18090
"$bin" seed-demo --missions 100000 >/dev/null
# The server reads ./themes: run it from the folder given (a copy with other templates).
(cd "${1:-$root}" && valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
  --toggle-collect='*search_page*' "$bin" serve >"$work/serve.log" 2>&1) &
for _ in $(seq 1 300); do curl -fs -o /dev/null http://127.0.0.1:18090/healthz && break; sleep 0.5; done
get() { curl -s -o /dev/null -H "Host: b02.localhost" -H "Accept-Encoding: gzip" "http://127.0.0.1:18090$1"; }
get /fr/missions
get "/fr/missions?q=zzqqxw"
callgrind_control -z >/dev/null 2>&1
n=0
for a in ecole sante jeunes formation eau femmes numerique agriculture entreprise mentorat dons \
  equipement hopital village quartier energie solaire recyclage dechets culture; do
  for b in jeunes eau village culture sport tourisme; do get "/fr/missions?q=$a+$b"; n=$((n + 1)); done
done
callgrind_control -d >/dev/null 2>&1
sleep 1
total=$(callgrind_annotate "$work"/cg.out.* 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}' | sort -n | tail -1)
echo "cold search pages: $n, instructions per page: $((total / n))"
