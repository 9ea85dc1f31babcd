#!/usr/bin/env bash
# Proves that the README's two commands work on a bare Debian 12, where a warm machine cannot:
# a package installed by hand once hides a missing install step (it did: ocl-icd-opencl-dev).
#
# Makes a minimal Debian 12 root with mmdebstrap, copies a clean clone of HEAD into it and runs,
# exactly as the README writes them:
#   1. scripts/demo.sh with no ../shared beside the checkout (what a user cloning from a forge has);
#   2. scripts/test.sh after ../shared is copied in beside it (the test data).
# Prints one line per step with its outcome and time; exits non-zero if either command fails.
# The root is unmounted and removed afterwards, also when interrupted.
#
# Between the two, `rerankd score` and `rerankd serve` (one /rerank request over loopback) run on
# the demo's model, still with no ../shared: the product itself must not need the test data.
#
# Usage (as root): scripts/check-fresh-machine.sh
#   RERANKD_FRESH_PARENT  where the root is made (default /var/tmp; needs about 4 GB)
#   RERANKD_FRESH_LOGS    where each step's full output is kept (default: a temporary folder)
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
shared_dir=$(cd "$repo_root/.." && pwd)/shared

if [[ $(id -u) -ne 0 ]]; then
  echo "check-fresh-machine: needs root (mmdebstrap and chroot)" >&2
  exit 2
fi
if ! command -v mmdebstrap >/dev/null; then
  echo "check-fresh-machine: installing mmdebstrap" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi

root=$(mktemp -d "${RERANKD_FRESH_PARENT:-/var/tmp}/rerankd-fresh.XXXXXX")
logs=${RERANKD_FRESH_LOGS:-$(mktemp -d /tmp/rerankd-fresh-logs.XXXXXX)}
mkdir -p "$logs"
step_pid=""

# Processes whose root directory is the chroot: what an interrupted step leaves running.
processes_in_root() {
  local link pid
  for link in /proc/[0-9]*/root; do
    pid=${link#/proc/}
    pid=${pid%/root}
    [[ $(readlink "$link" 2>/dev/null) == "$root" ]] && echo "$pid"
  done
  return 0
}

cleanup() {
  trap - EXIT INT TERM
  [[ -n "$step_pid" ]] && kill -- "-$step_pid" 2>/dev/null
  local pids
  pids=$(processes_in_root)
  if [[ -n "$pids" ]]; then
    # shellcheck disable=SC2086  # one pid a word
    kill -TERM $pids 2>/dev/null || true
    sleep 2
    # shellcheck disable=SC2086
    kill -KILL $(processes_in_root) 2>/dev/null || true
  fi
  # Deepest mount points first; a busy one is detached lazily so that nothing stays mounted.
  findmnt -rn -o TARGET | grep -F "$root/" | sort -r | while read -r target; do
    umount "$target" 2>/dev/null || umount -l "$target"
  done
  if findmnt -rn -o TARGET | grep -qF "$root/"; then
    echo "check-fresh-machine: $root still has mounts; left in place" >&2
    return
  fi
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs "$@" as one step in its own process group (so an interrupt reaches the trap at once and
# cleanup can stop the whole step), output to $logs/<log>.log, and prints the outcome line.
run_step() {
  local name=$1 log="$logs/$2.log"
  shift 2
  local start=$SECONDS status=0
  set -m # job control: the step gets a process group of its own
  "$@" >"$log" 2>&1 &
  set +m
  step_pid=$!
  wait "$step_pid" || status=$?
  step_pid=""
  local seconds=$((SECONDS - start))
  if [[ $status -eq 0 ]]; then
    echo "check-fresh-machine: $name: ok in ${seconds} s"
  else
    echo "check-fresh-machine: $name: FAILED (exit $status) after ${seconds} s; last lines of $log:"
    tail -n 40 "$log" | sed 's/^/    /'
  fi
  return "$status"
}

# The README's command, from the checkout's root, as root with a login-like environment.
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c "cd /work/main && $1"
}

# score and serve on the demo's model, run inside the root after the demo. The minimal root has no
# curl: the request goes through bash's /dev/tcp.
cat_no_shared_smoke() {
  cat <<'SMOKE'
set -euo pipefail
rerankd=build/release/bin/rerankd
model=build/release/demo-model
printf 'what is rust\tRust is a systems programming language\n' >/tmp/pairs.tsv
"$rerankd" score --model "$model" --input /tmp/pairs.tsv 2>/dev/null | grep -q '"score"'
"$rerankd" serve --model "$model" --port 0 >/tmp/serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
port=""
for _ in $(seq 300); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' /tmp/serve.log)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { cat /tmp/serve.log; exit 1; }
body='{"query":"what is rust","texts":["Rust is a language","Rust on iron"]}'
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /rerank HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' >&3
printf 'Content-Length: %d\r\nConnection: close\r\n\r\n%s' "${#body}" "$body" >&3
response=$(cat <&3)
echo "$response"
grep -q '^HTTP/1.1 200' <<<"$response" && grep -q '"index"' <<<"$response"
SMOKE
}

commit=$(git -C "$repo_root" rev-parse --short HEAD)
echo "check-fresh-machine: commit $commit in $root, logs in $logs"
run_step "mmdebstrap bookworm" mmdebstrap \
  mmdebstrap --variant=apt --include=ca-certificates,git bookworm "$root"

# The machine's own trust anchors and pip configuration, as mmdebstrap takes its apt sources:
# behind a TLS-intercepting proxy (this project's machines sit behind one) PyPI is reachable only
# with the proxy's CA, which a fresh Debian lacks. The tests' venv (tests/clients) needs PyPI.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
fi
if [[ -f /etc/pip.conf ]]; then cp /etc/pip.conf "$root/etc/pip.conf"; fi

mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
mkdir -p "$root/work"
git clone --quiet --no-hardlinks "$repo_root" "$root/work/main"

status=0
run_step "scripts/demo.sh (no ../shared)" demo in_root scripts/demo.sh || status=1
cat_no_shared_smoke >"$root/tmp/no-shared-smoke.sh"
run_step "rerankd score and serve (no ../shared)" smoke in_root "bash /tmp/no-shared-smoke.sh" ||
  status=1
if [[ -d "$shared_dir" ]]; then
  cp -a "$shared_dir" "$root/work/shared"
  run_step "scripts/test.sh" test in_root scripts/test.sh || status=1
  grep -E "tests passed|tests failed" "$logs/test.log" 2>/dev/null | tail -n 1 |
    sed 's/^/    /' || true
else
  echo "check-fresh-machine: scripts/test.sh: FAILED: no $shared_dir to copy in (the test data)"
  status=1
fi
exit "$status"
