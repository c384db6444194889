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
for round in $(seq "$ROUNDS"); do
  for mode in "${modes[@]}"; do
    echo "before $(dotnet "$before" $mode 2>/dev/null | tail -1) load $(cut -d' ' -f1 /proc/loadavg)"
    echo "after  $(dotnet "$after" $mode 2>/dev/null | tail -1) load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
