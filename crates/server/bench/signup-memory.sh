#!/usr/bin/env bash
# Resident memory of the server through a burst of sign-ups (argon2: 19 MiB a hash): 160
# sign-ups in 4 parallel streams, then 10 s idle. Prints RSS before, the peak, and after.
# Usage: crates/server/bench/signup-memory.sh [release|debug]
# Not a test: a measurement (issue 8, item 16). Each sign-up comes from its own address
# behind a "proxy" (TRUST_FORWARDED_HOST) so that rate limits do not cut the burst short.
set -euo pipefail
cd "$(dirname "$0")/../../.."
profile=${1:-release}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/jesuisaupays/target}
if [ "$profile" = release ]; then cargo build --release --quiet -p jesuisaupays; else cargo build --quiet -p jesuisaupays; fi
bin=$CARGO_TARGET_DIR/$profile/jesuisaupays
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export DATA_DIR=$work/data RUST_LOG=warn DEMO_DATA=off BIND_ADDR=127.0.0.1:18090 WEATHER_URL=off \
  TRUST_FORWARDED_HOST=true
"$bin" serve >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:18090/healthz && break; sleep 0.2; done
rss() { awk '/^VmRSS/ {print int($2/1024)}' "/proc/$pid/status"; }
echo "rss before: $(rss) MB"
python3 - <<'PY'
import re, threading, urllib.parse, urllib.request
BASE = "http://127.0.0.1:18090"
def signup(i):
    ip = f"10.{i // 250}.{i % 250}.1"
    req = urllib.request.Request(BASE + "/fr/compte/inscription", headers={"Host": "cm.localhost", "X-Forwarded-For": ip})
    with urllib.request.urlopen(req) as r:
        cookie = [c.split(";")[0] for c in r.headers.get_all("Set-Cookie") if c.startswith("jsap_presession=")][0]
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', r.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf": csrf, "email": f"burst{i}@example.org", "display_name": "Burst",
        "password": "vert-manioc-7-pluie", "password_confirm": "vert-manioc-7-pluie", "terms": "yes"}).encode()
    req = urllib.request.Request(BASE + "/fr/compte/inscription", data=body, headers={"Host": "cm.localhost", "X-Forwarded-For": ip, "Cookie": cookie})
    with urllib.request.urlopen(req) as r:
        assert r.status == 200, r.status
def stream(k):
    for i in range(k, 160, 4):
        signup(i)
threads = [threading.Thread(target=stream, args=(k,)) for k in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
print("160 sign-ups done")
PY
echo "rss peak: $(awk '/^VmHWM/ {print int($2/1024)}' "/proc/$pid/status") MB"
echo "rss right after: $(rss) MB"
sleep 10
echo "rss after 10 s idle: $(rss) MB"
