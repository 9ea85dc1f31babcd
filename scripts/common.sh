# Sourced by the scripts: where the repository is, how many build jobs, and (for the scripts that
# need it) where the shared test data is.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${RERANKD_JOBS:-$(nproc)}

# The tests and benchmarks read the MS MARCO sample, the vocabularies and the trained stand-in
# model from the shared data folder; rerankd itself and the demo do not need it.
require_data_dir() {
  export RERANKD_DATA_DIR=${RERANKD_DATA_DIR:-$(cd "$repo_root/.." && pwd)/shared/data}
  if [[ ! -d "$RERANKD_DATA_DIR/bert-base-uncased" ]]; then
    echo "error: the test data is not at $RERANKD_DATA_DIR: put the shared data folder there" \
      "(../shared/data beside the checkout) or set RERANKD_DATA_DIR to it" >&2
    exit 1
  fi
}
