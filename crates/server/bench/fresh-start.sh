#!/usr/bin/env bash
# A freshly started server under cold searches at once: the release build serves 100,000
# missions over 40 tenants, loads every catalogue (and, since 2026-12-05, every "did you mean"
# vocabulary) at start (WARM_CATALOGUES) and, as soon as /readyz answers 200, gets two-word
# searches on random sites (most find nothing: a server that did not build the vocabularies
# at start builds them under that load). Prints the time to ready, the first and a second
# run, and the server's resident memory at its peak.
# Usage: crates/server/bench/fresh-start.sh [sqlite|postgres] [seconds]
# BIN=path runs that binary instead of building the release (to compare two builds).
# Not a test: a measurement. Uses wrk (installed with apt when missing).
set -euo pipefail
cd "$(dirname "$0")/../../.."
secs=${2:-10}
port=18082 name=fresh
source crates/server/bench/setup.sh
"$bin" seed-demo --missions 100000 >/dev/null
start=$(date +%s.%N)
"$bin" serve >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18082/readyz)" = 200 ] && break
  sleep 0.05
done
echo "database: $db; ready (every catalogue loaded) $(echo "$(date +%s.%N) - $start" | bc) s after start"
run() { # name
  local out
  out=$(wrk -t2 -c64 -d"${secs}s" --latency -s crates/server/bench/random-search.lua http://127.0.0.1:18082/)
  printf '%-40s %10s req/s   p50 %8s   p90 %8s   p99 %8s\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
    "$(awk '$1 == "90%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}
run "search, 2 random words, 40 tenants, c=64"
run "  again (vocabularies built)"
grep -E 'VmRSS|VmHWM' "/proc/$server/status" | tr -s ' \t' ' '
