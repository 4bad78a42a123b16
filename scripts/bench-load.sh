#!/usr/bin/env bash
# Load benchmark (issue 5): N = 1, 2, 4, 8, 16, 32 concurrent fixed-length streams through the
# in-process engine and the bare ORT loop on a model folder, and, when given, through any
# OpenAI-compatible endpoint (--url http://127.0.0.1:8000/v1) and our native NDJSON route
# (--native http://127.0.0.1:8000). Writes load.md and load.png into --out.
#
#   scripts/bench-load.sh                       # builder 'small' preset, in-process, into docs/bench/
#   scripts/bench-load.sh --model DIR --url http://127.0.0.1:8000/v1 --native http://127.0.0.1:8000 --out docs/bench
#
# Any flag of `Chat.Benchmarks load` passes through (--concurrency, --max-tokens, --runs, --prompt,
# --api chat, --model-name, --batch, --threads).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
args=("$@")
if [[ $# -eq 0 ]]; then
  model="${TMPDIR:-/tmp}/chat-bench-small"
  if [[ ! -f "$model/genai_config.json" ]]; then
    dotnet run --project "$root/src/ModelBuilder" -c Release -- decoder --preset small --out "$model"
  fi
  args=(--model "$model" --out "$root/docs/bench")
fi
exec dotnet run --project "$root/src/Benchmarks" -c Release -- load "${args[@]}"
