#!/usr/bin/env bash
# Builds rerankd and runs every test (unit, conformance, integration). CI runs this.
set -euo pipefail
source "$(dirname "$0")/common.sh"
require_data_dir
"$repo_root/scripts/install-deps.sh" test
cd "$repo_root"
cmake --preset release -DRERANKD_DATA_DIR="$RERANKD_DATA_DIR" >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs" --label-exclude cuda "$@"
