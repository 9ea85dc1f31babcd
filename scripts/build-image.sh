#!/usr/bin/env bash
# Builds deploy/Dockerfile (or, with --cuda, deploy/Dockerfile.cuda) with podman where no
# registry is reachable, then proves the image: its root is mounted and its rerankd started
# there (chroot, as the image's user), serving a generated model on 127.0.0.1: --version names
# the commit, /ready, then one /rerank. As root.
#
#   scripts/build-image.sh [--cuda] [TAG]    (default localhost/rerankd:dev, localhost/rerankd-cuda:dev)
#
# The bases are made locally, as stand-ins for the registry's images:
# - Debian 12 (docker.io/library/debian:12-slim): mmdebstrap from this machine's apt sources.
# - --cuda, NVIDIA's devel image: the CUDA toolkit of this machine ($CUDA_HOME, default
#   /usr/local/cuda-13.0) in an image of its own, at the same path.
# - --cuda, NVIDIA's runtime image: an Ubuntu 24.04 root from mmdebstrap (the Ubuntu archive
#   and its keyring, fetched from the archive) with the toolkit's cudart and cuBLAS libraries
#   on the loader's path, as NVIDIA's image has them.
# `podman build --isolation=chroot` then runs the Dockerfile's steps as written. Without a GPU
# the cuda image's rerankd is run with the cpu backend: the same binary and libraries load.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cuda=false
if [[ ${1:-} == --cuda ]]; then
  cuda=true
  shift
fi
cuda_home=${CUDA_HOME:-/usr/local/cuda-13.0}
ubuntu_archive=${UBUNTU_ARCHIVE:-http://archive.ubuntu.com/ubuntu}
debian_base=localhost/rerankd-base:bookworm
cuda_devel=localhost/rerankd-cuda-devel-standin:13.0
cuda_runtime=localhost/rerankd-cuda-runtime-standin:13.0
work=$(mktemp -d /tmp/rerankd-image.XXXXXX)
chmod 755 "$work"  # apt's unprivileged _apt user reads the Ubuntu keyring from here
container=""
server=""
proc_mounted=""
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null
  [[ -n $proc_mounted ]] && umount "$proc_mounted" 2>/dev/null
  if [[ -n $container ]]; then
    podman umount "$container" >/dev/null 2>&1 || true
    podman rm -f "$container" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

step() { printf '%-44s %s\n' "$1" "$2"; }

make_debian_base() {
  podman image exists "$debian_base" && return
  mmdebstrap --quiet --variant=apt --include=ca-certificates bookworm "$work/base.tar"
  podman import --quiet "$work/base.tar" "$debian_base" >/dev/null
}

# The toolkit's files at the path NVIDIA's devel image has them; nothing else is used from it.
make_cuda_devel_standin() {
  podman image exists "$cuda_devel" && return
  # What rerankd's build needs: nvcc, headers, cudart and cuBLAS (not cuDNN, NCCL, cuFFT ...).
  tar -C / -cf - --exclude='libcudnn*' --exclude='libnccl*' --exclude='libcufft*' \
    --exclude='libcusparse*' --exclude='libcusolver*' --exclude='libcurand*' \
    --exclude='libnvrtc*' --exclude='libnvperf*' --exclude='libnvblas*' "${cuda_home#/}" \
    >"$work/cuda.tar"
  podman import --quiet "$work/cuda.tar" "$cuda_devel" >/dev/null
  rm "$work/cuda.tar"
}

make_cuda_runtime_standin() {
  podman image exists "$cuda_runtime" && return
  local keyring_deb=ubuntu-keyring_2023.11.28.1_all.deb
  curl -sf -o "$work/$keyring_deb" "$ubuntu_archive/pool/main/u/ubuntu-keyring/$keyring_deb"
  dpkg-deb -x "$work/$keyring_deb" "$work/keyring"
  # passwd: Ubuntu's base image has useradd, the apt variant does not.
  mmdebstrap --quiet --variant=apt --components=main --include=passwd \
    --keyring="$work/keyring/usr/share/keyrings/ubuntu-archive-keyring.gpg" \
    noble "$work/noble.tar" "$ubuntu_archive"
  podman import --quiet "$work/noble.tar" localhost/rerankd-ubuntu:noble >/dev/null
  mkdir -p "$work/runtime/lib"
  cp -a "$cuda_home"/lib/libcudart.so* "$cuda_home"/lib/libcublas.so* \
    "$cuda_home"/lib/libcublasLt.so* "$work/runtime/lib/"
  cat >"$work/runtime/Containerfile" <<STANDIN
FROM localhost/rerankd-ubuntu:noble
COPY lib ${cuda_home}/targets/x86_64-linux/lib
RUN echo ${cuda_home}/targets/x86_64-linux/lib >/etc/ld.so.conf.d/cuda.conf && ldconfig
STANDIN
  podman build --quiet --isolation=chroot -t "$cuda_runtime" "$work/runtime" >/dev/null
}

started=$SECONDS
make_debian_base
build_args=(--build-arg "BASE=$debian_base")
dockerfile=$repo_root/deploy/Dockerfile
tag=${1:-localhost/rerankd:dev}
binary=/usr/local/bin/rerankd
backend=cpu
if $cuda; then
  make_cuda_devel_standin
  make_cuda_runtime_standin
  build_args+=(--build-arg "CUDA_DEVEL=$cuda_devel" --build-arg "CUDA_RUNTIME=$cuda_runtime")
  dockerfile=$repo_root/deploy/Dockerfile.cuda
  tag=${1:-localhost/rerankd-cuda:dev}
  binary=/opt/rerankd/bin/rerankd
  command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 && backend=cuda
fi
step "base images" "ok ($((SECONDS - started)) s)"

started=$SECONDS
commit=$(git -C "$repo_root" describe --always --dirty=+dirty 2>/dev/null || echo unknown)
podman build --quiet --isolation=chroot "${build_args[@]}" --build-arg "RERANKD_COMMIT=$commit" \
  -f "$dockerfile" -t "$tag" "$repo_root" >"$work/build.log" 2>&1 || {
  tail -40 "$work/build.log"
  exit 1
}
size=$(podman image inspect "$tag" --format '{{.Size}}' | numfmt --to=si)
step "podman build $tag" "ok ($((SECONDS - started)) s, ${size}B)"

# Run what the image holds. (podman run itself needs cgroups and rlimits some sandboxes refuse.)
container=$(podman create "$tag")
root=$(podman mount "$container")
# A container runtime mounts /proc; the loader needs it here too: it finds $ORIGIN (the cuda
# image's RUNPATH to its bundled libraries) by reading /proc/self/exe.
mount -t proc proc "$root/proc"
proc_mounted=$root/proc
as_image_user() { chroot --userspec=1000:1000 "$root" env -i HF_HOME=/data "$@"; }
cp -r "$repo_root/examples/tokenizers/bert-base-uncased" "$root/tmp/tokenizer"
version=$(as_image_user "$binary" --version)
echo "$version"
[[ $version == *"commit $commit"* ]] || { echo "the image's rerankd does not name commit $commit"; exit 1; }
if $cuda && [[ $version != *cuda* ]]; then
  echo "the cuda image's rerankd has no cuda backend"
  exit 1
fi
as_image_user "$binary" make-model --out /tmp/model --tokenizer-dir /tmp/tokenizer >/dev/null 2>&1
as_image_user "$binary" serve --config /etc/rerankd/default.yaml --model /tmp/model --port 0 \
  --model.backend "$backend" >"$work/serve.log" 2>&1 &
server=$!
port=""
for _ in $(seq 300); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/serve.log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { cat "$work/serve.log"; exit 1; }
ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")
answer=$(curl -s "http://127.0.0.1:$port/rerank" -H 'content-type: application/json' \
  -d '{"query":"what is rust","texts":["Rust is a language","Rust on iron"]}')
kill -TERM $server
wait $server || true
server=""
[[ $ready == 200 && $answer == *'"index"'* ]] || { echo "ready=$ready answer=$answer"; exit 1; }
step "image's rerankd serves ($backend, uid 1000)" "ok: /ready $ready, /rerank $answer"
