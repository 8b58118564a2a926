#!/usr/bin/env bash
# Mission pages on the release build with 100,000 missions over 40 tenants: one mission asked
# for by everyone (a link shared in a campaign) and missions picked at random among 1,200 of
# them (most not memoised), each at 64 and 16 connections.
# Usage: crates/server/bench/mission-pages.sh [sqlite|postgres] [seconds]
# BIN=path runs that binary instead of building the release (to compare two builds).
# Not a test: a measurement. Uses wrk (installed with apt when missing).
set -euo pipefail
cd "$(dirname "$0")/../../.."
secs=${2:-8}
port=18083 name=missions
source crates/server/bench/setup.sh
"$bin" seed-demo --missions 100000 >/dev/null
"$bin" serve >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18083/readyz)" = 200 ] && break
  sleep 0.05
done
# The missions the first three result pages of each French-speaking site link to.
for n in $(seq -w 1 40); do
  for p in 1 2 3; do
    curl -s -H "Host: b$n.localhost" "http://127.0.0.1:18083/fr/missions?page=$p" |
      { grep -o 'href="/fr/missions/[0-9][^"]*"' || true; } | sed "s|href=\"\(.*\)\"|b$n.localhost \1|"
  done
done | sort -u >"$work/urls.txt"
read -r host path < <(head -1 "$work/urls.txt")
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" "http://127.0.0.1:18083$path")
[ "$code" = 200 ] || { echo "$path answered $code"; cat "$work/serve.log"; exit 1; }
echo "database: $db, 100,000 missions over 40 tenants, $(wc -l <"$work/urls.txt") mission pages, wrk -t2 -d${secs}s"
run() { # name connections [wrk args...]
  local name=$1 c=$2 out
  shift 2
  out=$(wrk -t2 -c"$c" -d"${secs}s" --latency "$@")
  printf '%-30s c=%-3s %9s req/s   p50 %8s   p99 %8s   non-2xx: %s\n' "$name" "$c" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
    "$(awk '$1 == "99%" {print $2}' <<<"$out")" "$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
}
for c in 64 16; do
  run "one mission, everyone" "$c" -H "Host: $host" -H "Accept-Encoding: gzip" "http://127.0.0.1:18083$path"
  MISSION_URLS=$work/urls.txt run "random missions" "$c" -s crates/server/bench/random-mission.lua http://127.0.0.1:18083/
done
grep -E 'VmHWM' "/proc/$server/status" | tr -s ' \t' ' '
