#!/usr/bin/env bash
# A/B of two sample-app runs under load, measured in short interleaved slices so that both see the same
# machine. This machine switches between fast and slow periods that last from seconds to minutes, so two
# 20-second measurements a minute apart (bench/load.sh's rounds) often differ by more than the change being
# measured. Here both apps run side by side (only the one under load uses CPU), are warmed up, and are then
# loaded in turn for SLICE seconds each, PAIRS times, in the order A B, B A, A B, ... Each pair gives B/A
# throughput and B-A CPU per request; the medians over the pairs are the result.
# Usage: bench/ab.sh <A> <B> [pairs=10] [slice-seconds=4] [connections=32]
#   A and B are <mode> or <mode>@<path to a build of Sightline.Samples.Orders.dll> (default: this checkout's build),
#   e.g. bench/ab.sh records@/tmp/base/samples/Sightline.Samples.Orders/bin/Release/net10.0/Sightline.Samples.Orders.dll records
#   or bench/ab.sh bare records. A mode of full-server-down ships to a closed port (the spool fills).
#   A_ENV / B_ENV: extra environment variables (NAME=value ...) for one side only, e.g. B_ENV=DOTNET_TieredPGO=0.
#   ROUNDS=n: n rounds, each with both apps started afresh and PAIRS pairs; the result pools every round's pairs.
#   STATS=1: also prints, per app start and side, the runtime's counters over its measured pairs (GET /bench/stats:
#   gen0 collections per 10,000 requests, GC pause per request, GC heaps, thread-pool threads), to tell a start that
#   ran slow for the runtime's reasons (the GC's budgets, more threads) from one that ran slow for the SDK's.
# Prints one line per slice (stderr) and: ab: B/A rps <median> (pairs <min>-<max>, B faster in <n>/<pairs>) cpu_us_per_req B-A <median>,
# then: ab-ci: a 95% interval for each median, from a bootstrap that resamples the app starts and, within each, the pairs
# (so a start that ran fast or slow as a whole widens the interval instead of hiding in the pooled pairs).
set -euo pipefail
cd "$(dirname "$0")/.."
A=${1:?usage: bench/ab.sh <A> <B> [pairs] [slice-seconds] [connections]}
B=${2:?usage: bench/ab.sh <A> <B> [pairs] [slice-seconds] [connections]}
PAIRS=${3:-10}
ROUNDS=${ROUNDS:-1}
SLICE=${4:-4}
CONNECTIONS=${5:-32}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 2; }
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SINK_PORT=$(free_port)
cleanup() { kill "${sink_pid:-}" "${pid_a:-}" "${pid_b:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
. bench/bench-request.sh
build_and_start_sink "$SINK_PORT"
bench_request "$work" "bench-key"

start() {   # start <side> <spec> <port>: starts the app, prints its pid
  local side=$1 spec=$2 port=$3 mode dll endpoint
  mode=${spec%%@*}
  dll=samples/Sightline.Samples.Orders/bin/Release/net10.0/Sightline.Samples.Orders.dll
  [[ $spec == *@* ]] && dll=${spec#*@}
  endpoint=http://127.0.0.1:$SINK_PORT
  if [ "$mode" = full-server-down ]; then mode=full; endpoint=http://127.0.0.1:9; fi
  local extra; [ "$side" = a ] && extra=${A_ENV:-} || extra=${B_ENV:-}
  env $extra Sightline__ApiKey=sl_bench_key Sightline__Endpoint="$endpoint" Sightline__SpoolDirectory="$work/spool-$side-${round:-1}" \
    dotnet "$dll" --urls "http://127.0.0.1:$port" --mode "$mode" >"$work/app-$side.log" 2>&1 &
  echo $!
}
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() { wrk -t2 -c"$CONNECTIONS" -d"$2s" -s "$work/post.lua" "http://127.0.0.1:$1/bench/echo"; }
slice() {   # slice <side> <port> <pid>: appends "<pair> <side> rps cpu_us_per_req" to results
  local before after out requests rps
  before=$(ticks "$3")
  out=$(load "$2" "$SLICE")
  after=$(ticks "$3")
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local cpu; cpu=$(python3 -c "print(($after-$before)/$hz*1e6/max($requests,1))")
  echo "$round.$pair $1 $rps $cpu" >>"$work/results.txt"
  echo "$round $1 $requests" >>"$work/requests.txt"
  echo "  round $round pair $pair $1 rps: $rps cpu_us_per_req(total): $cpu" >&2
}
stats() {   # stats <0|1>: with STATS=1, saves both apps' runtime counters before (0) or after (1) this round's pairs
  [ "${STATS:-0}" = 1 ] || return 0
  curl -s "http://127.0.0.1:$port_a/bench/stats" >"$work/stats-$round-a-$1.json"
  curl -s "http://127.0.0.1:$port_b/bench/stats" >"$work/stats-$round-b-$1.json"
}
for round in $(seq "$ROUNDS"); do
  # Each round starts both apps afresh: the GC sizes its budgets per process (DATAS), so one start can be a
  # little faster or slower than the next; pooling the pairs of several starts keeps that out of the result.
  port_a=$(free_port); port_b=$(free_port)
  pid_a=$(start a "$A" "$port_a")
  pid_b=$(start b "$B" "$port_b")
  for port in "$port_a" "$port_b"; do
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/bench/hello" && break; sleep 0.2; done
  done
  # Warm-up: tiered JIT (with PGO re-compilation) settles in 10-25 s of load on this machine.
  for _ in 1 2; do load "$port_a" 10 >/dev/null; load "$port_b" 10 >/dev/null; done
  stats 0
  for pair in $(seq "$PAIRS"); do
    if [ $((pair % 2)) -eq 1 ]; then slice a "$port_a" "$pid_a"; slice b "$port_b" "$pid_b"
    else slice b "$port_b" "$pid_b"; slice a "$port_a" "$pid_a"; fi
  done
  stats 1
  kill "$pid_a" "$pid_b" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid_a" 2>/dev/null || kill -0 "$pid_b" 2>/dev/null || break; sleep 0.1; done # gone before the next round
  pid_a=; pid_b=
done
python3 - "$work" "$A" "$B" "${STATS:-0}" <<'PY'
import json, random, statistics, sys
work, stats = sys.argv[1], sys.argv[4] == "1"
rows = [l.split() for l in open(f"{work}/results.txt") if l.strip()]
by = {}
for pair, side, rps, cpu in rows: by.setdefault(pair, {})[side] = (float(rps), float(cpu))
starts = sorted({k.split(".")[0] for k in by}, key=int)
groups = [[p for k, p in by.items() if k.split(".")[0] == r] for r in starts]  # each app start's pairs
ratio = lambda p: p["b"][0] / p["a"][0]
cpu = lambda p: p["b"][1] - p["a"][1]
pairs = list(by.values())
ratios = [ratio(p) for p in pairs]
per = [statistics.median(ratio(p) for p in g) for g in groups]
if stats:
    requests = {}
    for line in open(f"{work}/requests.txt"):
        r, side, n = line.split(); requests[(r, side)] = requests.get((r, side), 0) + int(n)
    for r, start_ratio in zip(starts, per):
        out = []
        for side in "ab":
            s0, s1 = (json.load(open(f"{work}/stats-{r}-{side}-{i}.json")) for i in (0, 1))
            n = max(requests.get((r, side), 1), 1)
            out.append(f"{side}: gen0/10k {(s1['gen0'] - s0['gen0']) * 1e4 / n:.1f} gc_pause_us/req {(s1['pauseMs'] - s0['pauseMs']) * 1e3 / n:.2f}"
                       f" heaps {s1['heapCount']} threads {s1['threads']}")
        print(f"ab-stats: start {r} B/A {start_ratio:.3f}  " + "  ".join(out))
rounds = "; per start " + " ".join(f"{x:.3f}" for x in per) if len(starts) > 1 else ""
cpus = [cpu(p) for p in pairs]
a_name, b_name = sys.argv[2].split("@")[0] + ("@A" if "@" in sys.argv[2] else ""), sys.argv[3].split("@")[0] + ("@B" if "@" in sys.argv[3] else "")
print(f"ab: A={a_name} B={b_name} B/A rps {statistics.median(ratios):.3f} (pairs {min(ratios):.3f}-{max(ratios):.3f}, B faster in {sum(r > 1 for r in ratios)}/{len(ratios)}{rounds})"
      f" cpu_us_per_req B-A {statistics.median(cpus):+.2f} (pairs {min(cpus):+.2f} to {max(cpus):+.2f})"
      f" A rps median {statistics.median(p['a'][0] for p in pairs):.0f}")
# Cluster bootstrap: resample the starts, then each drawn start's pairs (fixed seed: the same results print the same interval).
rng = random.Random(12345)
def draw():
    sample = [rng.choice(g) for g in (rng.choice(groups) for _ in groups) for _ in g]
    return statistics.median(ratio(p) for p in sample), statistics.median(cpu(p) for p in sample)
draws = [draw() for _ in range(4000)]
def interval(values):
    values = sorted(values)
    return values[int(0.025 * len(values))], values[int(0.975 * len(values)) - 1]
lo, hi = interval(d[0] for d in draws)
clo, chi = interval(d[1] for d in draws)
print(f"ab-ci: B/A rps 95% {lo:.3f}-{hi:.3f} cpu_us_per_req B-A 95% {clo:+.2f} to {chi:+.2f} ({len(starts)} starts, {len(ratios)} pairs, cluster bootstrap)")
PY
