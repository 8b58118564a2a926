#!/usr/bin/env bash
# Seeds N synthetic missions (default 100,000) over 40 generated country tenants on a fresh
# SQLite file (or DATABASE_URL), and prints the time taken. Not a test: a measurement.
# Usage: crates/server/bench/seed-100k.sh [N] [debug|release]
set -euo pipefail
cd "$(dirname "$0")/../../.."
n=${1:-100000}
profile=${2:-release}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/jesuisaupays/target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash crates/server/bench/make-tenants.sh "$work/tenants"
flag=""
[ "$profile" = release ] && flag="--release"
cargo build $flag -p jesuisaupays --quiet
bin=$CARGO_TARGET_DIR/$profile/jesuisaupays
export TENANTS_DIR=$work/tenants DATA_DIR=$work/data RUST_LOG=warn
"$bin" tenants check
"$bin" migrate >/dev/null
start=$(date +%s.%N)
"$bin" seed-demo --missions "$n"
end=$(date +%s.%N)
echo "seed-demo --missions $n over 40 tenants ($profile): $(echo "$end - $start" | bc) s"
