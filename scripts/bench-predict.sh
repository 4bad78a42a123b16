#!/usr/bin/env bash
# Benchmarks POST /predict and GET /health of the gateway (Release) with wrk at 1, 16 and 64
# connections, then the same against a FastAPI + Uvicorn + scikit-learn service on this machine,
# and prints req/s, p50/p99 and the gateway/FastAPI ratio.
#   scripts/bench-predict.sh [seconds per run, default 10]
# Gateway rows: "cache off" runs every request through the micro-batcher and ONNX Runtime;
# "cache hit" repeats one body with the prediction cache on (the default configuration).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${1:-10}"
connections=(1 16 64)

"$root/scripts/install-test-deps.sh" wrk
have_fastapi=1
/usr/bin/python3 -c "import fastapi, uvicorn, sklearn" 2>/dev/null || {
  "$root/scripts/install-test-deps.sh" python3-fastapi python3-uvicorn python3-sklearn || have_fastapi=0
}

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# One row of the committed dataset as the request body.
row="$(sed -n 2p models/data/breast_cancer.csv | cut -d, -f1-30)"
cat > "$work/predict.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"features":[$row]}'
LUA

wait_for() {
  for _ in $(seq 1 300); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "not answering: $1" >&2
  return 1
}

# run NAME URL [lua] -> appends "name conns rps p50 p99" to results
run() {
  local name="$1" url="$2" lua="${3:-}"
  for c in "${connections[@]}"; do
    local threads=$(( c < 2 ? 1 : 2 ))
    local args=(-t "$threads" -c "$c" -d "${duration}s" --latency)
    [ -n "$lua" ] && args+=(-s "$lua")
    local out
    out="$(wrk "${args[@]}" "$url")"
    local rps p50 p99
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
    p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
    printf '%-28s %4s %12s %10s %10s\n' "$name" "$c" "$rps" "$p50" "$p99" | tee -a "$work/results"
  done
}

dotnet build src/Gateway -c Release -nologo -v q >/dev/null
gateway_dll="$root/src/Gateway/bin/Release/net10.0/Chat.Gateway.dll"

start_gateway() {
  local port="$1"; shift
  env Logging__LogLevel__Default=Warning Urls="http://127.0.0.1:$port" "$@" dotnet "$gateway_dll" >"$work/gateway-$port.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$port/ready"
}

printf '%-28s %4s %12s %10s %10s\n' "target" "conn" "req/s" "p50" "p99"
start_gateway 18081 Predict__CacheTtlSeconds=0
run "gateway /predict cache off" "http://127.0.0.1:18081/predict" "$work/predict.lua"
run "gateway /health" "http://127.0.0.1:18081/health"
start_gateway 18082
run "gateway /predict cache hit" "http://127.0.0.1:18082/predict" "$work/predict.lua"

if [ "$have_fastapi" -eq 1 ]; then
  /usr/bin/python3 "$root/scripts/predict_fastapi.py" 18083 >"$work/fastapi.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:18083/health"
  run "fastapi /predict" "http://127.0.0.1:18083/predict" "$work/predict.lua"
  run "fastapi /health" "http://127.0.0.1:18083/health"

  echo
  echo "ratio gateway/fastapi (req/s):"
  for c in "${connections[@]}"; do
    for what in /predict /health; do
      local_name="gateway $what"; [ "$what" = /predict ] && local_name="gateway /predict cache off"
      g="$(awk -v n="$local_name" -v c="$c" 'substr($0,1,28) ~ "^"n" *$" && $(NF-3)==c {print $(NF-2)}' "$work/results")"
      f="$(awk -v n="fastapi $what" -v c="$c" 'substr($0,1,28) ~ "^"n" *$" && $(NF-3)==c {print $(NF-2)}' "$work/results")"
      awk -v g="$g" -v f="$f" -v c="$c" -v w="$what" 'BEGIN { printf "  %-9s %3s conn: %.1fx\n", w, c, g / f }'
    done
  done
else
  echo "FastAPI comparison skipped: python3-fastapi/python3-uvicorn/python3-sklearn not installable here." >&2
fi
