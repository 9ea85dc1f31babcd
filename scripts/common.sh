# Sourced by the scripts: where the repository and the shared data are.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export RERANKD_DATA_DIR=${RERANKD_DATA_DIR:-$(cd "$repo_root/.." && pwd)/shared/data}
if [[ ! -d "$RERANKD_DATA_DIR/bert-base-uncased" ]]; then
  echo "error: shared data not found at $RERANKD_DATA_DIR (set RERANKD_DATA_DIR)" >&2
  exit 1
fi
jobs=${RERANKD_JOBS:-$(nproc)}
