#!/usr/bin/env bash
# Throughput and latency of the home and search pages on the release build, with 100,000
# missions over 40 tenants, against a poem hello-world measured in the same run (the ceiling).
# Usage: crates/server/bench/http-bench.sh [sqlite|postgres] [seconds]
# PAIRS=n takes the home page's ratio to the hello-world over n alternating pairs (default 3).
# Not a test: a measurement. Uses wrk (installed with apt when missing).
set -euo pipefail
cd "$(dirname "$0")/../../.."
db=${1:-sqlite}
secs=${2:-10}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/jesuisaupays/target}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet -p jesuisaupays
cargo build --release --quiet -p jsap-web --example hello
bin=$CARGO_TARGET_DIR/release/jesuisaupays
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
bash crates/server/bench/make-tenants.sh "$work/tenants"
# WARM_CATALOGUES=false: the catalogues load where the script measures their first load.
export TENANTS_DIR=$work/tenants DATA_DIR=$work/data RUST_LOG=warn DEMO_DATA=off BIND_ADDR=127.0.0.1:18080 WEATHER_URL=off WARM_CATALOGUES=false
if [ "$db" = postgres ]; then
  source crates/server/bench/postgres.sh
  bench_database jsap_bench_$$
  trap 'cleanup; drop_bench_database' EXIT
fi
start=$(date +%s.%N)
"$bin" seed-demo --missions 100000
echo "seeding 100,000 missions: $(echo "$(date +%s.%N) - $start" | bc) s"
"$bin" serve >"$work/serve.log" 2>&1 &
server=$!
pids+=($server)
"$CARGO_TARGET_DIR/release/examples/hello" 127.0.0.1:18081 &
pids+=($!)
for _ in $(seq 1 50); do curl -fs -o /dev/null http://127.0.0.1:18080/healthz && break; sleep 0.2; done

encoding="Accept-Encoding: gzip"
run() { # name url host [connections] [wrk script]; sends $encoding
  local out
  out=$(wrk -t2 -c"${4:-64}" -d"${secs}s" --latency ${5:+-s "$5"} -H "Host: $3" -H "$encoding" "$2")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  local bad
  bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-34s %10s req/s   p50 %8s   p99 %8s   non-2xx: %s\n' "$1" "$rps" "$p50" "$p99" "${bad:-0}"
}
# Every measured page must answer 200 before it is measured.
for path in /fr/ "/fr/missions?q=ecole&city=yaounde&domain=education-enfance&contribution=benevolat" /fr/missions; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: b01.localhost' "http://127.0.0.1:18080$path")
  [ "$code" = 200 ] || { echo "$path answered $code"; cat "$work/serve.log"; exit 1; }
done
echo "database: $db, 100,000 missions over 40 tenants, wrk -t2 -c64 -d${secs}s"
run "poem hello-world (ceiling)" http://127.0.0.1:18081/ localhost
run "poem, the home page's bytes" http://127.0.0.1:18081/page localhost
run "home /fr/" http://127.0.0.1:18080/fr/ b01.localhost
# A client that does not ask for gzip gets the page's HTML (about 15 KB).
encoding="Accept-Encoding: identity" run "home /fr/, not compressed" http://127.0.0.1:18080/fr/ b01.localhost
# One 10 s run of each varies by 15 % or so (wrk and the server share two cores): the ratio
# of the home page to the hello-world is also taken over alternating 5 s pairs (PAIRS, 3 by
# default).
rps_of() { # url host
  wrk -t2 -c64 -d5s -H "Host: $2" -H "Accept-Encoding: gzip" "$1" | awk '/Requests\/sec/ {print $2}'
}
ratios=()
pairs=${PAIRS:-3}
for _ in $(seq 1 "$pairs"); do
  hello=$(rps_of http://127.0.0.1:18081/ localhost)
  home=$(rps_of http://127.0.0.1:18080/fr/ b01.localhost)
  ratios+=("$(echo "scale=0; 100 * $home / $hello" | bc)")
done
mapfile -t sorted < <(printf '%s\n' "${ratios[@]}" | sort -n)
# The middle value; the two middle values of an even number of pairs.
median=${sorted[$(((pairs - 1) / 2))]}
[ $((pairs % 2)) = 1 ] || median="$median-${sorted[$((pairs / 2))]}"
echo "home / hello-world, $pairs alternating 5 s pairs: ${ratios[*]} % (median $median %)"
search="http://127.0.0.1:18080/fr/missions?q=ecole&city=yaounde&domain=education-enfance&contribution=benevolat"
run "search text + 3 filters" "$search" b01.localhost
run "search text + 3 filters, c=16" "$search" b01.localhost 16
run "search, no filter" "http://127.0.0.1:18080/fr/missions" b01.localhost
run "search, text only" "http://127.0.0.1:18080/fr/missions?q=sante" b01.localhost
# "Cold" means the full-text result and the page are not memoised; the catalogues themselves
# are loaded first (each tenant's first search reads its missions and indexes their texts), and
# so is each site's "did you mean" vocabulary (built at its first search that finds nothing).
start=$(date +%s.%N)
for n in $(seq -w 1 40); do curl -s -o /dev/null -H "Host: b$n.localhost" http://127.0.0.1:18080/fr/missions; done
echo "first load of 40 catalogues (one after the other): $(echo "$(date +%s.%N) - $start" | bc) s"
start=$(date +%s.%N)
for n in $(seq -w 1 40); do curl -s -o /dev/null -H "Host: b$n.localhost" "http://127.0.0.1:18080/fr/missions?q=zzqqxw"; done
echo "first 'did you mean' vocabulary of 40 sites (one after the other): $(echo "$(date +%s.%N) - $start" | bc) s"
# The server gives glibc's free memory back within a second of a bulk read (server::memory).
sleep 2
grep -E 'VmRSS' "/proc/$server/status" | tr -s ' \t' ' '
run "search, 2 random words, 40 tenants" http://127.0.0.1:18080/ b01.localhost 64 crates/server/bench/random-search.lua
run "  same, c=16" http://127.0.0.1:18080/ b01.localhost 16 crates/server/bench/random-search.lua
# Resident memory of the server now (after the runs) and at its peak.
grep -E 'VmRSS|VmHWM' "/proc/$server/status" | tr -s ' \t' ' '
