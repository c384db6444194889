#!/usr/bin/env bash
# Loopback load benchmark of the SDK: the sample app (samples/Sightline.Samples.Orders) under wrk,
# in each mode, in one run, against a real Sightline server on 127.0.0.1:
#   bare              no SDK
#   metrics           SDK, metrics only (SampleRate 0)
#   records           metrics + a record per request (headers, no bodies)
#   full              headers + 2 KiB JSON bodies both ways, 3 redaction paths, 100% sampling
#   full-server-down  full, while the server is unreachable (the spool fills)
#   apikey            no SDK; every endpoint behind the light API-key path, app.UseApiKeys() (a valid X-Api-Key on
#                     each request; target >= 0.95x bare)
#   apikey-handler    the same behind the framework's UseAuthentication/UseAuthorization with the AddApiKey handler
#                     and a fallback policy (not in the default MODES)
# Prints: mode: <name> rps: <n> ratio_vs_bare: <x.xx> p99_ms: <n> cpu_us_per_req: <n>
# cpu_us_per_req is the app process's CPU time per request minus bare's.
# Usage: bench/load.sh [seconds-per-mode=10] [connections=32]   (SINK=server to ship to a real Sightline server)
# A/B: BASE_DLL=/tmp/base-build/Sightline.Samples.Orders.dll MODES="bare full full:base" runs "full" with both builds.
# Environment: VERBOSE=1 prints every measurement to stderr as it is taken, with the app's runtime counters
# (GC, allocation, context switches per 1000 requests, and the SDK's sent/dropped/spooled counters: a mode that
# looks cheap because it lost records shows it), ROUNDS (default 3), MODES (default all five), WARMUP seconds before each measurement
# (default 20: tiered JIT compilation (with PGO re-compilation) on a busy 2-core machine takes 10-25 s to settle, and
# a shorter warm-up measures the JIT, not the SDK).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 2; }
work=$(mktemp -d)
# Free loopback ports picked per run, so two runs (or a run and a dev server) never share a port and
# wrk never measures someone else's process.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SINK_PORT=${SINK_PORT:-$(free_port)}
APP_PORT=${APP_PORT:-$(free_port)}
cleanup() { kill "${server_pid:-}" "${app_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet build -c Release -v q -nologo samples/Sightline.Samples.Orders >/dev/null
dotnet build -c Release -v q -nologo bench/Sightline.Benchmarks >/dev/null
dotnet build -c Release -v q -nologo tools/Sightline.Cli >/dev/null
app_dll=samples/Sightline.Samples.Orders/bin/Release/net10.0/Sightline.Samples.Orders.dll

# Records go to a discarding ingest sink (SINK=server uses the real Sightline server instead; its
# SQLite work then competes with the app for the same cores, which is not the SDK's cost).
if [ "${SINK:-sink}" = server ]; then
  dotnet build -c Release -v q -nologo src/Sightline.Server >/dev/null
  dotnet src/Sightline.Server/bin/Release/net10.0/Sightline.Server.dll --Sightline:Server:Urls=http://127.0.0.1:$SINK_PORT \
    --Sightline:Server:DataDirectory="$work/data" --Sightline:Server:AdminPassword=bench-password >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do grep -q "sl_ingest_" "$work/server.log" 2>/dev/null && break; sleep 0.2; done
  key=$(grep -o 'sl_ingest_[A-Za-z0-9_]*' "$work/server.log" | head -1)
else
  dotnet bench/Sightline.Benchmarks/bin/Release/net10.0/Sightline.Benchmarks.dll sink $SINK_PORT >"$work/sink.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$SINK_PORT/healthz && break; sleep 0.2; done
  key=sl_bench_key
fi

# apikey modes: a key issued by the sightline tool into a configuration entry, handed to the app as environment
# variables (Sightline__ApiKeys__Keys__0__*); other modes ignore them. Every mode sends the X-Api-Key header.
dotnet tools/Sightline.Cli/bin/Release/net10.0/sightline.dll keys create --store config -n load-bench --json >"$work/apikey.json"
api_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$work/apikey.json")
eval "$(python3 -c '
import json, sys
entry = json.load(open(sys.argv[1]))["configurationEntry"]
for name in ("Id", "Prefix", "Hash", "PepperVersion", "Name"):
    print(f"export Sightline__ApiKeys__Keys__0__{name}={entry[name]!r}")
' "$work/apikey.json")"

. bench/bench-request.sh
bench_request "$work" "$api_key"

# The app's runtime counters (GET /bench/stats) and its threads' context switches, for VERBOSE=1.
stats() { curl -s "http://127.0.0.1:$APP_PORT/bench/stats"; echo; cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt/ {s[$1] += $2} END {for (k in s) printf "%s %d ", k, s[k]}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
results="$work/results.txt"
: >"$results"
run_mode() {   # one measurement: appends "name rps p99_ms cpu_us_per_req" to $results
  local name=$1 mode=$2 endpoint=$3
  Sightline__ApiKey="$key" Sightline__Endpoint="$endpoint" Sightline__SpoolDirectory="$work/spool-$name" \
    dotnet "${run_dll:-$app_dll}" --urls http://127.0.0.1:$APP_PORT --mode "$mode" >"$work/app-$name.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$APP_PORT/bench/hello && break; sleep 0.2; done
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP:-20}s" -s "$work/post.lua" http://127.0.0.1:$APP_PORT/bench/echo >/dev/null   # warm-up (JIT tiers, pools)
  local stats_before=""; [ -n "${VERBOSE:-}" ] && stats_before=$(stats "$app_pid")
  local before; before=$(ticks "$app_pid")
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/post.lua" http://127.0.0.1:$APP_PORT/bench/echo)
  local after; after=$(ticks "$app_pid")
  if [ -n "${VERBOSE:-}" ]; then
    python3 - "$stats_before" "$(stats "$app_pid")" "$(echo "$out" | awk '/requests in/ {print $1}')" >&2 <<'PY'
import json, sys
def parse(text):
    lines = text.splitlines()
    stats = json.loads(lines[0]) if lines and lines[0].startswith("{") else {}
    words = lines[1].split() if len(lines) > 1 else []
    for i in range(0, len(words) - 1, 2): stats[words[i].rstrip(":")] = int(words[i + 1])
    return stats
a, b, n = parse(sys.argv[1]), parse(sys.argv[2]), max(int(sys.argv[3] or 1), 1)
d = lambda k: b.get(k, 0) - a.get(k, 0)
print(f"    per 1000 requests: gen0 {d('gen0') * 1000 / n:.2f} gen1 {d('gen1') * 1000 / n:.3f} gen2 {d('gen2') * 1000 / n:.3f}"
      f" pause_ms {d('pauseMs') * 1000 / n:.2f} work_items {d('workItems') * 1000 / n:.0f}"
      f" ctxt_vol {d('voluntary_ctxt_switches') * 1000 / n:.0f} ctxt_invol {d('nonvoluntary_ctxt_switches') * 1000 / n:.0f}"
      f" lock_contentions {d('lockContentions') * 1000 / n:.1f} sdk_sent {d('sent') * 1000 / n:.0f} sdk_dropped {d('dropped') * 1000 / n:.0f}"
      f" sdk_spooled_batches {d('spooled') * 1000 / n:.2f} sdk_spool_dropped_batches {d('spoolDropped') * 1000 / n:.2f}; per request: alloc_bytes {d('allocatedBytes') / n:.0f};"
      f" jit_methods {d('jitMethods')}; at the end: heaps {b.get('heapCount')} threads {b.get('threads')} heap_mb {b.get('heapBytes', 0) / 1e6:.0f}")
PY
  fi
  kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local requests; requests=$(echo "$out" | awk '/requests in/ {print $1}')
  local p99; p99=$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; print v}')
  local cpu_us; cpu_us=$(python3 -c "print(($after-$before)/$hz*1e6/$requests)")
  echo "$name $rps $p99 $cpu_us" >>"$results"
  if [ -n "${VERBOSE:-}" ]; then echo "  round $round $name rps: $rps p99_ms: $p99 cpu_us_per_req(total): $cpu_us" >&2; fi
}

# The machine is shared and noisy: modes are interleaved over ROUNDS rounds and the median of each
# is reported; ratios and CPU are against bare's median from the same run.
for round in $(seq "${ROUNDS:-3}"); do
  for mode in ${MODES:-bare metrics records full full-server-down apikey}; do
    # "<mode>:base" runs <mode> with the sample app at $BASE_DLL (a build of another commit), for A/B runs.
    run_dll=""; m=$mode
    if [[ $mode == *:base ]]; then run_dll=${BASE_DLL:?set BASE_DLL to another build of Sightline.Samples.Orders.dll}; m=${mode%:base}; fi
    case $m in
      full-server-down) run_mode "$mode" full http://127.0.0.1:9 ;;
      *) run_mode "$mode" "$m" http://127.0.0.1:$SINK_PORT ;;
    esac
  done
done
python3 - "$results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
modes = []
for r in rows:
    if r[0] not in modes: modes.append(r[0])
med = {m: [statistics.median(float(r[i]) for r in rows if r[0] == m) for i in (1, 2, 3)] for m in modes}
spread = {m: (min(float(r[1]) for r in rows if r[0] == m), max(float(r[1]) for r in rows if r[0] == m)) for m in modes}
bare = med["bare"]
for m in modes:
    rps, p99, cpu = med[m]
    print(f"mode: {m} rps: {rps:.0f} ratio_vs_bare: {rps / bare[0]:.2f} p99_ms: {p99:.2f} cpu_us_per_req: {cpu - bare[2]:.1f}   (rps range {spread[m][0]:.0f}-{spread[m][1]:.0f})")
PY
