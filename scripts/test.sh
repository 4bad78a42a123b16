#!/usr/bin/env bash
# The README's test command: installs what the tests need, then runs the whole suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Conformance fixtures built by the reference onnxruntime-genai toolchain, when present beside the repo.
if [ -z "${GENAI_FIXTURES:-}" ] && [ -d "$root/../shared/fixtures/genai" ]; then
  export GENAI_FIXTURES="$root/../shared/fixtures/genai"
fi
if [ -n "${GENAI_FIXTURES:-}" ]; then
  echo "GENAI_FIXTURES=$GENAI_FIXTURES"
else
  echo "GENAI_FIXTURES unset: conformance tests on reference-built models will be skipped."
fi

"$root/scripts/install-test-deps.sh" curl redis-server
"$root/scripts/setup-torchsharp.sh"

dotnet build Chat.sln -c Release -nologo -v q
dotnet test Chat.sln -c Release --no-build -nologo -v q --logger "console;verbosity=normal" "$@"
