#!/usr/bin/env bash
# Rebuilds models/chat-default, the decoder the gateway serves out of the box (random weights for
# now; see models/README.md). Deterministic: the committed files equal a fresh run of this script.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

dotnet run --project src/ModelBuilder -c Release -- decoder \
  --out models/chat-default \
  --layers 4 --hidden 128 --heads 4 --kv-heads 2 --intermediate 384 \
  --vocab 1024 --context 2048 --seed 20251123 --tied --graph contrib \
  --corpus models/corpus/default-chat.txt
