#!/usr/bin/env bash
# Allocation per request of the sample app under load, per mode, and the types that make up the difference
# from the first mode (sampled by the runtime: one GCAllocationTick event per ~100 KB allocated, so types
# under ~10 B/request are noise). This is how the SDK's per-request allocations in the real host (Kestrel's
# context reuse, async-locals, the queue) are found; the in-process benchmarks do not see them.
# Usage: bench/alloc.sh [seconds=10] [modes="bare metrics records full"]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
MODES=${2:-bare metrics records full}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 2; }
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SINK_PORT=$(free_port)
APP_PORT=$(free_port)
cleanup() { kill "${sink_pid:-}" "${app_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
. bench/bench-request.sh
build_and_start_sink "$SINK_PORT"
bench_request "$work" "bench-key"
for mode in $MODES; do
  SIGHTLINE_BENCH_ALLOCATIONS=1 Sightline__ApiKey=sl_bench_key Sightline__Endpoint="http://127.0.0.1:$SINK_PORT" Sightline__SpoolDirectory="$work/spool" \
    dotnet samples/Sightline.Samples.Orders/bin/Release/net10.0/Sightline.Samples.Orders.dll --urls "http://127.0.0.1:$APP_PORT" --mode "$mode" >"$work/app-$mode.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$APP_PORT/bench/hello" && break; sleep 0.2; done
  wrk -t2 -c32 -d12s -s "$work/post.lua" "http://127.0.0.1:$APP_PORT/bench/echo" >/dev/null   # warm-up
  curl -s "http://127.0.0.1:$APP_PORT/bench/stats" >"$work/$mode-before.json"
  wrk -t2 -c32 -d"${DURATION}s" -s "$work/post.lua" "http://127.0.0.1:$APP_PORT/bench/echo" >"$work/$mode-wrk.txt"
  curl -s "http://127.0.0.1:$APP_PORT/bench/stats" >"$work/$mode-after.json"
  kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""
done
python3 - "$work" $MODES <<'PY'
import json, sys
work, modes = sys.argv[1], sys.argv[2:]
per = {}
for m in modes:
    a, b = json.load(open(f"{work}/{m}-before.json")), json.load(open(f"{work}/{m}-after.json"))
    n = int(next(l for l in open(f"{work}/{m}-wrk.txt") if "requests in" in l).split()[0])
    types = {k: (v - (a.get("allocations") or {}).get(k, 0)) / n for k, v in (b.get("allocations") or {}).items()}
    per[m] = ((b["allocatedBytes"] - a["allocatedBytes"]) / n, types)
base = modes[0]
for m in modes:
    total, types = per[m]
    print(f"mode: {m} alloc_bytes_per_req: {total:.0f} vs_{base}: {total - per[base][0]:+.0f}")
    if m == base: continue
    diff = {k: types.get(k, 0) - per[base][1].get(k, 0) for k in set(types) | set(per[base][1])}
    for k, v in sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:8]:
        if abs(v) >= 10: print(f"    {v:+7.0f} B  {k}")
PY
