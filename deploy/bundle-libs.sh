#!/usr/bin/env bash
# Makes a self-contained tree for a runtime image of another distribution: BINARY goes to
# DEST/bin, every shared library it loads to DEST/lib, and each RUNPATH points there, so the
# binary built on Debian 12 runs on the CUDA runtime image (Ubuntu 24.04) without the Debian
# packages. Left out: the C library family and libstdc++/libgcc_s (the runtime's own, newer
# ones serve: they are backward compatible) and CUDA's libraries and driver (the CUDA runtime
# base and the NVIDIA container toolkit provide them). Needs ldd and patchelf.
#
#   deploy/bundle-libs.sh build/release/bin/rerankd /opt/rerankd
set -euo pipefail
binary=${1:?usage: $0 BINARY DEST}
dest=${2:?usage: $0 BINARY DEST}
mkdir -p "$dest/bin" "$dest/lib"
install -m 755 "$binary" "$dest/bin/"

provided_by_the_runtime() {
  case $1 in
    ld-linux* | libc.so* | libm.so* | libdl.so* | libpthread.so* | librt.so* | libresolv.so*) ;;
    libstdc++.so* | libgcc_s.so*) ;;
    libcuda.so* | libcudart.so* | libcublas.so* | libcublasLt.so* | libnvidia-*) ;;
    *) return 1 ;;
  esac
}

# ldd lists the whole closure (libcurl's own dependencies too), one "name => path" a line.
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | while read -r name path; do
  provided_by_the_runtime "$name" && continue
  cp -L "$path" "$dest/lib/$name"
  # A RUNPATH serves only its object's direct needs, so each library gets its own.
  patchelf --set-rpath '$ORIGIN' "$dest/lib/$name"
done
patchelf --set-rpath '$ORIGIN/../lib' "$dest/bin/$(basename "$binary")"
echo "bundled $(basename "$binary") and $(ls "$dest/lib" | wc -l) libraries into $dest"
