#!/usr/bin/env bash
# Load benchmark (issue 5): N = 1, 2, 4, 8, 16, 32 concurrent fixed-length streams through the
# in-process engine, the bare ORT loop, and a gateway serving the same model over the OpenAI
# completions route, in one run with repetitions interleaved across targets. Writes load.md and
# load.png into docs/bench/.
#
#   scripts/bench-load.sh                  # builder 'small' preset; starts a Release gateway on 127.0.0.1:5077
#   scripts/bench-load.sh --model DIR --url http://127.0.0.1:8000/v1 --native http://127.0.0.1:8000 --out DIR
#
# With arguments, every flag of `Chat.Benchmarks load` passes through (--concurrency, --max-tokens,
# --runs, --prompt, --api chat, --model-name, --batch, --threads, --single-threads) and no gateway
# is started: point --url at any OpenAI-compatible server (ours, vLLM, llama.cpp's server).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$root/src/Benchmarks" -c Release -v quiet -nologo >/dev/null
bench=("dotnet" "$root/src/Benchmarks/bin/Release/net10.0/Chat.Benchmarks.dll" "load")
if [[ $# -gt 0 ]]; then
  exec "${bench[@]}" "$@"
fi

model="${TMPDIR:-/tmp}/chat-bench-small"
if [[ ! -f "$model/genai_config.json" ]]; then
  dotnet run --project "$root/src/ModelBuilder" -c Release -- decoder --preset small --out "$model"
fi

dotnet build "$root/src/Gateway" -c Release -v quiet -nologo >/dev/null
port=5077
ChatModel__Path="$model" Urls="http://127.0.0.1:$port" Gateway__JsonLogs=false Logging__LogLevel__Default=Warning \
  Logging__LogLevel__Chat=Information dotnet "$root/src/Gateway/bin/Release/net10.0/Chat.Gateway.dll" >"${TMPDIR:-/tmp}/bench-load-gateway.log" 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null || true; wait $gateway 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
  kill -0 $gateway 2>/dev/null || { cat "${TMPDIR:-/tmp}/bench-load-gateway.log"; exit 1; }
  sleep 0.5
done
grep -h "intra-op threads" "${TMPDIR:-/tmp}/bench-load-gateway.log" | sed 's/^/gateway: /' || true
"${bench[@]}" --model "$model" --url "http://127.0.0.1:$port/v1" --runs 5 --out "$root/docs/bench"
