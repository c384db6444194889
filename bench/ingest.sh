#!/usr/bin/env bash
# Server ingest and query benchmark over loopback, for SQLite and PostgreSQL, in one run.
#   ingest: a real Sightline server (Kestrel on 127.0.0.1) and 4 senders posting pre-built gzip
#           batches of 500 records (~1.3 KiB JSON each: headers, query, consumer, trace ids; no
#           bodies), then again with 2 KiB JSON bodies both ways. Prints records/s sustained, the
#           p50/p99 of one POST, and the process CPU seconds (server + senders).
#   query:  a store filled through its bulk path (5,000 records per StoreAsync) with RECORDS records
#           over 24 h plus one 40-series metrics snapshot per minute; median/p95 of the overview and
#           of the request log's first page (and filtered pages).
# PostgreSQL: SIGHTLINE_BENCH_POSTGRES or SIGHTLINE_TEST_POSTGRES names a server where a throw-away
# database can be created (it is dropped after). Without either, only SQLite runs.
# Usage: bench/ingest.sh [records-for-ingest=300000] [records-for-query=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
INGEST=${1:-300000}
QUERY=${2:-1000000}
dotnet build -c Release -v q -nologo bench/Sightline.Benchmarks >/dev/null
dll=bench/Sightline.Benchmarks/bin/Release/net10.0/Sightline.Benchmarks.dll
stores=(sqlite)
[ -n "${SIGHTLINE_BENCH_POSTGRES:-${SIGHTLINE_TEST_POSTGRES:-}}" ] && stores+=(postgres)
echo "machine: $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for store in "${stores[@]}"; do
  dotnet "$dll" ingest "$store" none "$INGEST"
  dotnet "$dll" ingest "$store" 2k "$((INGEST / 3))"
done
for store in "${stores[@]}"; do
  dotnet "$dll" query "$store" "$QUERY"
done
echo "machine load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
