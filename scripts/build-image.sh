#!/usr/bin/env bash
# Builds deploy/Dockerfile with podman where no registry is reachable, then proves the image:
# the Debian 12 base comes from mmdebstrap (this machine's apt sources), imported as a local
# image; `podman build --isolation=chroot` runs the Dockerfile's steps as written. The image's
# root is then mounted and its rerankd started there (chroot, as the image's user), serving a
# generated model on 127.0.0.1: /ready, then one /rerank. As root.
#
#   scripts/build-image.sh [TAG]        (default localhost/rerankd:dev)
set -euo pipefail
source "$(dirname "$0")/common.sh"
tag=${1:-localhost/rerankd:dev}
base=localhost/rerankd-base:bookworm
work=$(mktemp -d /tmp/rerankd-image.XXXXXX)
container=""
cleanup() {
  if [[ -n $container ]]; then
    podman umount "$container" >/dev/null 2>&1 || true
    podman rm -f "$container" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

step() { printf '%-44s %s\n' "$1" "$2"; }
started=$SECONDS
if ! podman image exists "$base"; then
  mmdebstrap --quiet --variant=apt --include=ca-certificates bookworm "$work/base.tar"
  podman import --quiet "$work/base.tar" "$base" >/dev/null
fi
step "base image $base" "ok ($((SECONDS - started)) s)"

started=$SECONDS
podman build --quiet --isolation=chroot --build-arg "BASE=$base" -f "$repo_root/deploy/Dockerfile" \
  -t "$tag" "$repo_root" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
step "podman build $tag" "ok ($((SECONDS - started)) s, $(podman image inspect "$tag" --format '{{.Size}}' | numfmt --to=si)B)"

# Run what the image holds. (podman run itself needs cgroups and rlimits some sandboxes refuse.)
container=$(podman create "$tag")
root=$(podman mount "$container")
cp -r "$repo_root/examples/tokenizers/bert-base-uncased" "$root/tmp/tokenizer"
chroot --userspec=1000:1000 "$root" /usr/local/bin/rerankd --version
chroot --userspec=1000:1000 "$root" /usr/local/bin/rerankd make-model --out /tmp/model \
  --tokenizer-dir /tmp/tokenizer >/dev/null 2>&1
chroot --userspec=1000:1000 "$root" env HF_HOME=/data /usr/local/bin/rerankd serve \
  --config /etc/rerankd/default.yaml --model /tmp/model --port 0 >"$work/serve.log" 2>&1 &
server=$!
port=""
for _ in $(seq 300); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/serve.log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { cat "$work/serve.log"; kill $server; exit 1; }
ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")
answer=$(curl -s "http://127.0.0.1:$port/rerank" -H 'content-type: application/json' \
  -d '{"query":"what is rust","texts":["Rust is a language","Rust on iron"]}')
kill -TERM $server
wait $server || true
[[ $ready == 200 && $answer == *'"index"'* ]] || { echo "ready=$ready answer=$answer"; exit 1; }
step "image's rerankd serves (chroot, uid 1000)" "ok: /ready $ready, /rerank $answer"
