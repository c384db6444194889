#!/usr/bin/env bash
# Before/after ingest comparison in one run: builds commit BASE (default: main) into a temp folder with
# this checkout's benchmark sources (so both sides send the same batches), then alternates the two
# builds over the same modes, ROUNDS times. Compare process CPU per record (robust on a shared machine)
# more than records/s. PostgreSQL modes run when SIGHTLINE_TEST_POSTGRES (or SIGHTLINE_BENCH_POSTGRES) is set.
# Usage: bench/ingest-compare.sh [BASE=main] [records=150000]   (env ROUNDS=2)
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:-main}
RECORDS=${2:-150000}
ROUNDS=${ROUNDS:-2}
dir=$(mktemp -d /tmp/sightline-ingest-base.XXXXXX)
trap 'rm -rf "$dir"' EXIT
git archive "$BASE" | tar -x -C "$dir"
rm -rf "$dir/bench/Sightline.Benchmarks/Ingest" && cp -r bench/Sightline.Benchmarks/Ingest "$dir/bench/Sightline.Benchmarks/Ingest"
cp bench/Sightline.Benchmarks/Program.cs "$dir/bench/Sightline.Benchmarks/Program.cs"
dotnet build -c Release -v q -nologo "$dir/bench/Sightline.Benchmarks" >/dev/null
dotnet build -c Release -v q -nologo bench/Sightline.Benchmarks >/dev/null
before=$dir/bench/Sightline.Benchmarks/bin/Release/net10.0/Sightline.Benchmarks.dll
after=bench/Sightline.Benchmarks/bin/Release/net10.0/Sightline.Benchmarks.dll
modes=("replay sqlite none $((RECORDS / 3))" "replay sqlite 2k $((RECORDS / 10))" "ingest sqlite none $RECORDS" "ingest sqlite 2k $((RECORDS / 3))")
[ -n "${SIGHTLINE_BENCH_POSTGRES:-${SIGHTLINE_TEST_POSTGRES:-}}" ] && modes+=("ingest postgres none $RECORDS" "ingest postgres 2k $((RECORDS / 3))" "replay postgres none $((RECORDS / 3))")
echo "base: $BASE ($(git rev-parse --short "$BASE")), after: $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes'); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# CPU seconds of every local postgres process (live ones, plus the exited backends the postmaster has reaped):
# the database's share of an ingest run on this machine. Other clients of the same server count too.
pg_cpu() {
  local tck; tck=$(getconf CLK_TCK)
  for p in $(pgrep -x postgres); do awk '{print $14+$15+$16+$17}' "/proc/$p/stat" 2>/dev/null; done | awk -v t="$tck" '{s+=$1} END {printf "%.2f", s/t}'
}
run() { # build, mode...
  local dll=$1; shift
  local c0 c1 out
  c0=$(pg_cpu); out=$(dotnet "$dll" "$@" 2>/dev/null | tail -1); c1=$(pg_cpu)
  echo "$out$([ "$2" = postgres ] && echo " postgres_cpu_s: $(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.2f", b - a}')") load $(cut -d' ' -f1 /proc/loadavg)"
}
for round in $(seq "$ROUNDS"); do
  for mode in "${modes[@]}"; do
    echo "before $(run "$before" $mode)"
    echo "after  $(run "$after" $mode)"
  done
done
