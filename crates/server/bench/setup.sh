# Sourced by fresh-start.sh and mission-pages.sh from the repository's root, with the
# script's arguments ($1: sqlite or postgres) and `port` and `name` set: installs wrk when
# missing, takes the release build (or BIN), makes a work folder removed at exit (the server,
# started later as $server, stopped first), 40 generated tenants, the server's settings and,
# for postgres, a database of its own named after `name`, dropped at exit.
db=${1:-sqlite}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/jesuisaupays/target}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
bin=${BIN:-$CARGO_TARGET_DIR/release/jesuisaupays}
[ -n "${BIN:-}" ] || cargo build --release --quiet -p jesuisaupays
work=$(mktemp -d)
server=""
# The server is gone before its folder is removed (it writes there until it stops).
cleanup() { [ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; } || true; rm -rf "$work"; }
trap cleanup EXIT
bash crates/server/bench/make-tenants.sh "$work/tenants"
export TENANTS_DIR=$work/tenants DATA_DIR=$work/data RUST_LOG=warn DEMO_DATA=off BIND_ADDR=127.0.0.1:$port WEATHER_URL=off
if [ "$db" = postgres ]; then
  source crates/server/bench/postgres.sh
  bench_database "jsap_${name}_$$"
  trap 'cleanup; drop_bench_database' EXIT
fi
