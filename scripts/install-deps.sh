#!/usr/bin/env bash
# Installs the Debian 12 packages rerankd needs to build, if any are missing; with the argument
# `test`, also those the tests need. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libsimdjson-dev libutf8proc-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev
  libcurl4-openssl-dev libssl-dev
  libboost-dev
  libdnnl-dev
  # libdnnl-dev's CMake config calls find_package(OpenCL); Debian lists the headers and loader
  # only as a Recommends of it, which --no-install-recommends drops.
  ocl-icd-opencl-dev
)
if [[ ${1:-} == test ]]; then
  # tests/clients makes a venv with the real client libraries from PyPI (cohere, langchain-cohere,
  # llama-index, huggingface_hub, openapi-python-client); pip needs the CA certificates.
  packages+=(python3 python3-venv ca-certificates)
  # tests/deploy puts Debian's HAProxy in front of rerankd replicas.
  packages+=(haproxy)
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
