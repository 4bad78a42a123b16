#!/usr/bin/env bash
# Retrains models/chat-default from scratch with TorchSharp (src/ModelTrainer) and exports it through the
# model builder's writer. At most 45 minutes on an idle 2-core machine: build, TRAIN_STEPS optimizer steps
# (16000 by default, ~43 minutes at ~18k tokens/s with bfloat16 projections on a CPU with native bfloat16;
# the trainer picks bfloat16 or float32 projections by timing both on this CPU; the learning-rate schedule
# follows the step count, capped by TRAIN_MINUTES of wall clock (43 by default): a machine too slow for
# the steps ends the schedule on time with fewer steps), a held-out evaluation of every skill, export.
# The model is replaced only when every skill reaches the accuracy floor of the skills contract
# (issue 10); otherwise the script exits with 3.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

run="${TRAIN_RUN_DIR:-$root/.cache/chat-default-run}"
steps="${TRAIN_STEPS:-16000}"
minutes="${TRAIN_MINUTES:-43}"

"$root/scripts/setup-torchsharp.sh"
dotnet build src/ModelTrainer -c Release -nologo -v q
trainer=(dotnet src/ModelTrainer/bin/Release/net10.0/Chat.ModelTrainer.dll)

rm -rf "$run"
"${trainer[@]}" train --out "$run" --steps "$steps" --minutes "$minutes"
"${trainer[@]}" eval --out "$run" --per-skill 100 --check-floors
"${trainer[@]}" export --out "$run" --model models/chat-default
cp "$run/training-curve.png" models/chat-default-training-curve.png
cp "$run/eval.json" models/chat-default-eval.json
cp "$run/eval.md" models/chat-default-eval.md
