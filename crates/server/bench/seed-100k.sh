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
mkdir -p "$work/tenants"
cp tenants/portal.toml "$work/tenants/"
# 40 country tenants: copies of the project's countries under new codes and hosts.
i=0
for round in 1 2 3 4 5 6; do
  for src in cm sn ci bj ma tn gm; do
    i=$((i + 1))
    [ "$i" -le 40 ] || break
    code=$(printf 'b%02d' "$i")
    sed -e "s/^code = \"$src\"/code = \"$code\"/" \
        -e "s/jesuis\([a-z]*\)\.com/bench$code-jesuis\1.com/g" \
        -e "s/$src\.localhost/$code.localhost/" \
        "tenants/$src.toml" > "$work/tenants/$code.toml"
  done
done
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
