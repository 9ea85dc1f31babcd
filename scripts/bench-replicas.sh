#!/usr/bin/env bash
# Runs experiments/16_replicas.yaml: starts 3 `rerankd serve` replicas (ports 18100-18102) and
# HAProxy with three frontends, 18111 (replica 0 only), 18112 (replicas 0-1) and 18113 (all
# three), then `rerankd bench` against each and against replica 0 directly (18100).
#
#   scripts/bench-replicas.sh MODEL_DIR [OUT] [KEY=VALUE ...]   (KEY=VALUE: serve flags, e.g.
#                                                               server.max_concurrency=2)
set -euo pipefail
source "$(dirname "$0")/common.sh"
model=${1:?usage: $0 MODEL_DIR [OUT] [KEY=VALUE ...]}
out=${2:-bench-out}
shift $(( $# >= 2 ? 2 : 1 ))
rerankd=${RERANKD:-$repo_root/build/release/bin/rerankd}
haproxy=${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
work=$(mktemp -d /tmp/rerankd-replicas.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# GET url answers 200. Python's urllib first: a curl run with LD_LIBRARY_PATH pointing at a
# carried libcurl (the device) fails to load, and would look like a server that never answers.
answers() {
  if command -v python3 >/dev/null; then
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null
  else
    env -u LD_LIBRARY_PATH curl -sf "$1" >/dev/null
  fi
}

flags=()
for setting in "$@"; do flags+=("--${setting%%=*}" "${setting#*=}"); done
for i in 0 1 2; do
  "$rerankd" serve --model "$model" --port $((18100 + i)) --server.access_log false "${flags[@]}" \
    >"$work/replica$i.log" 2>&1 &
  pids+=($!)
done
backend() {  # name, then the replica indexes
  local name=$1
  shift
  printf 'backend %s\n  balance leastconn\n  option http-buffer-request\n' "$name"
  printf '  option httpchk GET /ready\n  retry-on conn-failure empty-response 503\n'
  printf '  option redispatch 1\n'
  for i in "$@"; do printf '  server r%s 127.0.0.1:%s check inter 1s\n' "$i" $((18100 + i)); done
}
{
  printf 'global\n  maxconn 4096\ndefaults\n  mode http\n  timeout connect 1s\n'
  printf '  timeout client 60s\n  timeout server 60s\n'
  printf 'frontend one\n  bind 127.0.0.1:18111\n  default_backend one\n'
  printf 'frontend two\n  bind 127.0.0.1:18112\n  default_backend two\n'
  printf 'frontend three\n  bind 127.0.0.1:18113\n  default_backend three\n'
  backend one 0
  backend two 0 1
  backend three 0 1 2
} >"$work/haproxy.cfg"
for i in 0 1 2; do
  for _ in $(seq 600); do
    answers "http://127.0.0.1:$((18100 + i))/ready" && break
    sleep 0.1
  done
done
"$haproxy" -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)
for port in 18111 18112 18113; do
  for _ in $(seq 100); do answers "http://127.0.0.1:$port/ready" && break; sleep 0.1; done
done
"$rerankd" bench "$repo_root/experiments/16_replicas.yaml" --model "$model" --out "$out" --no-peers \
  ${BENCH_FLAGS:-}
