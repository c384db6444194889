# Sourced by bench/load.sh, bench/alloc.sh and bench/ab.sh: the request they send to the sample app under wrk,
# and (alloc.sh, ab.sh) the builds and the discarding ingest sink.
# bench_request <dir> <api-key>: writes <dir>/body.json (about 2 KiB of JSON with the fields the sample's
# redaction paths name) and <dir>/post.lua (POST it with Content-Type, Authorization and X-Api-Key).
bench_request() {
  local dir=$1 key=$2
  python3 - "$dir/body.json" <<'PY'
import json, sys
items = [{"sku": f"SKU-{i}", "name": f"Item number {i}", "secret": f"s-{i:06d}"} for i in range(40)]
body = {"id": "o-1", "items": items, "user": {"email": "anna@example.com", "zip": "10115"}}
text = json.dumps(body)
while len(text) < 2048:
    items.append({"sku": "pad", "name": "x" * 20, "secret": "s"}); text = json.dumps(body)
open(sys.argv[1], "w").write(text)
PY
  cat >"$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-token"
wrk.headers["X-Api-Key"] = "$key"
local f = io.open("$dir/body.json", "r"); wrk.body = f:read("*a"); f:close()
LUA
}

# build_and_start_sink <port>: builds the sample app and the benchmark project, starts the discarding ingest
# sink on 127.0.0.1:<port> and waits until it answers; sets sink_pid (the caller stops it).
build_and_start_sink() {
  dotnet build -c Release -v q -nologo samples/Sightline.Samples.Orders >/dev/null
  dotnet build -c Release -v q -nologo bench/Sightline.Benchmarks >/dev/null
  dotnet bench/Sightline.Benchmarks/bin/Release/net10.0/Sightline.Benchmarks.dll sink "$1" >/dev/null 2>&1 &
  sink_pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && break; sleep 0.2; done
}
