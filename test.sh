#!/usr/bin/env bash
# Runs the whole Sightline test suite: unit, in-memory host, real Kestrel, real SQLite,
# real PostgreSQL (a throw-away cluster started here when SIGHTLINE_TEST_POSTGRES is unset)
# and headless Chromium. Prints `tests: N passed, N failed[, N skipped]` last.
set -uo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" = 0 ] && ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (browser tests)..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
    || echo "warning: could not install chromium" >&2
fi

started_pg=0
if [ -z "${SIGHTLINE_TEST_POSTGRES:-}" ] && [ -x /usr/lib/postgresql/15/bin/initdb ] && [ "$(id -u)" = 0 ]; then
  SIGHTLINE_TEST_POSTGRES=$(.ci/postgres.sh start) && started_pg=1
  export SIGHTLINE_TEST_POSTGRES
fi
cleanup() { [ "$started_pg" = 1 ] && .ci/postgres.sh stop; }
trap cleanup EXIT

log=$(mktemp)
# Build once (in parallel), then run the test assemblies one after another (-m:1): on a 2-core
# machine the browser, PostgreSQL and Kestrel tests are steadier without competing test hosts.
dotnet build Sightline.slnx -c Release 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ]; then
  dotnet test Sightline.slnx -c Release --no-build -m:1 "$@" 2>&1 | tee -a "$log"
  rc=${PIPESTATUS[0]}
fi

# Sum the per-assembly summary lines: "Passed!  - Failed: 0, Passed: 8, Skipped: 0, Total: 8".
read -r passed failed skipped < <(grep -E '^(Passed|Failed)! +- Failed: ' "$log" | sed -E \
  's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
assemblies=$(grep -cE '^(Passed|Failed)! +- Failed: ' "$log")
rm -f "$log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited $rc (build error or crashed test host) with $assemblies assemblies reported" >&2
  failed=1
fi
line="tests: $passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$rc" -eq 0 ]
