#!/usr/bin/env bash
# Streams from a running gateway with plain `curl -N` and checks the wire shapes of DESIGN.md.
# usage: scripts/curl-stream-test.sh [BASE_URL]   (default http://localhost:8000; the model must be ready)
set -euo pipefail
base="${1:-http://localhost:8000}"
fail() { echo "FAIL: $*" >&2; exit 1; }
json=(-H 'Content-Type: application/json')

ndjson="$(curl -sSN --max-time 60 "${json[@]}" -d '{"message":"Hello","max_tokens":8}' "$base/chat/stream")"
first="$(printf '%s\n' "$ndjson" | head -n 1)"
last="$(printf '%s\n' "$ndjson" | tail -n 1)"
[[ "$first" == '{"stream_id":"'*'","index":0,"token":"'* ]] || fail "NDJSON first line: $first"
[[ "$last" == *'"done":true'* && "$last" == *'"finish_reason":"'* && "$last" == *'"usage":{"prompt_tokens":'* ]] || fail "NDJSON last line: $last"
echo "ok  POST /chat/stream NDJSON ($(printf '%s\n' "$ndjson" | wc -l) lines)"

sse="$(curl -sSN --max-time 60 "${json[@]}" -H 'Accept: text/event-stream' -d '{"message":"Hello","max_tokens":8}' "$base/chat/stream")"
grep -q '^id: 0$' <<<"$sse" || fail "SSE: no 'id: 0' in: $sse"
grep -q '^event: token$' <<<"$sse" || fail "SSE: no token event"
grep -q '^event: done$' <<<"$sse" || fail "SSE: no done event"
echo "ok  POST /chat/stream SSE"

get="$(curl -sSN --max-time 60 "$base/chat/stream?message=Hello&max_tokens=4")"
grep -q '^event: done$' <<<"$get" || fail "GET SSE: no done event in: $get"
echo "ok  GET /chat/stream?message="

openai="$(curl -sSN --max-time 60 "${json[@]}" -d '{"messages":[{"role":"user","content":"Hello"}],"max_tokens":8,"stream":true,"stream_options":{"include_usage":true}}' "$base/v1/chat/completions")"
grep -q '"object":"chat.completion.chunk"' <<<"$openai" || fail "OpenAI: no chunk in: $openai"
grep -q '"usage":{"prompt_tokens":' <<<"$openai" || fail "OpenAI: no usage chunk"
[[ "$(grep -v '^$' <<<"$openai" | tail -n 1)" == 'data: [DONE]' ]] || fail "OpenAI: stream does not end with [DONE]"
echo "ok  POST /v1/chat/completions stream"

status="$(curl -sS -o /tmp/curl-stream-test.$$ -w '%{http_code} %{content_type}' "${json[@]}" -d '{"message":"Hello","temperature":7}' "$base/chat/stream")"
body="$(cat /tmp/curl-stream-test.$$)"; rm -f /tmp/curl-stream-test.$$
[[ "$status" == '400 application/problem+json'* && "$body" == *'"temperature"'* ]] || fail "bad request: $status $body"
echo "ok  400 problem+json naming the field"
