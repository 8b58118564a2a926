#!/usr/bin/env bash
# Writes 40 country tenants (copies of the project's countries under new codes and hosts:
# b01.localhost ... b40.localhost) and the portal into the folder given.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=$1
mkdir -p "$out"
cp "$root/tenants/portal.toml" "$out/"
i=0
for round in 1 2 3 4 5 6; do
  for src in cm sn ci bj ma tn gm; do
    i=$((i + 1))
    [ "$i" -le 40 ] || break 2
    code=$(printf 'b%02d' "$i")
    sed -e "s/^code = \"$src\"/code = \"$code\"/" \
        -e "s/jesuis\([a-z]*\)\.com/bench$code-jesuis\1.com/g" \
        -e "s/$src\.localhost/$code.localhost/" \
        "$root/tenants/$src.toml" > "$out/$code.toml"
  done
done
: "$round"
