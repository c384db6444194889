# Sourced by bench/load.sh and bench/alloc.sh: the request both send to the sample app under wrk.
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
