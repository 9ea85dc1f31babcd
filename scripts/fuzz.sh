#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (tests/fuzz/<target>.cc) with clang-14, ASan and UBSan.
# Usage: scripts/fuzz.sh TARGET SECONDS [extra libFuzzer flags...]
#        scripts/fuzz.sh build     builds every fuzz_<target> into build/fuzz/tests/fuzz/
#        scripts/fuzz.sh list
# The committed seeds (tests/fuzz/corpus/TARGET) are only read: the run works on a copy in
# build/fuzz/corpus/TARGET, which keeps what it finds between runs; crashes, leaks and
# timeouts go to build/fuzz/crashes/TARGET/. RERANKD_JOBS sets the build's jobs (default 1),
# CXX the compiler (default clang++-14).
#
# To fuzz elsewhere (say on a machine with more cores), `scripts/fuzz.sh build` here, then copy
# build/fuzz/tests/fuzz/fuzz_*, tests/fuzz/corpus/ and tests/fuzz/*.dict, and with them
# tests/fixtures/xlmr_tokenizer and RERANKD_DATA_DIR/bert-base-uncased (fuzz_tokenizer and
# fuzz_http_request load those tokenizers: from the paths built in, or from the directories in
# RERANKD_FUZZ_FIXTURES_DIR (for tests/fixtures) and RERANKD_DATA_DIR when set). Run each as
# below, with its own corpus directory and, say, -fork=N (N processes, one corpus).
source "$(dirname "$0")/common.sh"
cd "$repo_root"
fuzz_dir=tests/fuzz
targets() {
  sed -n 's/^rerankd_add_fuzz_target(\([a-z_0-9]*\) .*/\1/p' "$fuzz_dir/CMakeLists.txt"
}

build=build/fuzz
cxx=${CXX:-clang++-14}

# Every library is compiled with coverage instrumentation and the sanitizers, so that
# libFuzzer is guided by (and ASan checks) rerankd's code, not only the harness.
configure() {
  local flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -gline-tables-only"
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    require_data_dir
    nice -n 10 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$flags" \
      -DRERANKD_FUZZ=ON -DRERANKD_WITH_CUDA=OFF -DRERANKD_BUILD_BENCHMARKS=OFF \
      -DRERANKD_DATA_DIR="$RERANKD_DATA_DIR" >/dev/null
  fi
}

# build TARGET...: the fuzz_<target> binaries.
build_targets() {
  configure
  local names=()
  for t in "$@"; do names+=("fuzz_$t"); done
  nice -n 10 cmake --build "$build" --target "${names[@]}" -j "${RERANKD_JOBS:-1}"
}

case "${1:-}" in
  list)
    targets
    exit 0
    ;;
  build)
    mapfile -t all < <(targets)
    build_targets "${all[@]}"
    for t in "${all[@]}"; do echo "$build/tests/fuzz/fuzz_$t"; done
    exit 0
    ;;
esac
if [[ $# -lt 2 ]]; then
  echo "usage: $0 TARGET SECONDS [libFuzzer flags...] | $0 build | $0 list" >&2
  exit 2
fi
target=$1
seconds=$2
shift 2
if ! targets | grep -qx "$target"; then
  echo "error: no fuzz target '$target'; targets: $(targets | tr '\n' ' ')" >&2
  exit 2
fi
build_targets "$target"

corpus=$build/corpus/$target
crashes=$build/crashes/$target
mkdir -p "$corpus" "$crashes"
cp -n "$fuzz_dir/corpus/$target"/* "$corpus"/ 2>/dev/null || true
dict=()
[[ -f "$fuzz_dir/$target.dict" ]] && dict=(-dict="$fuzz_dir/$target.dict")
log=$build/fuzz-$target.log

# -timeout: an input over 1 s is a finding; -rss_limit_mb: so is 2 GB of memory. On a machine
# whose cores are busy with other work, a descheduled input can pass 1 s (the codecs input that
# did took 26 ms alone): pass -timeout=5 after SECONDS; the later flag wins.
set +e
nice -n 10 "$build/tests/fuzz/fuzz_$target" "$corpus" "${dict[@]}" \
  -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$crashes/" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
echo "fuzz_$target: ${executions:-?} executions in ${seconds}s, exit $status;" \
  "corpus $corpus ($(ls "$corpus" | wc -l) files), crashes $crashes ($(ls "$crashes" | wc -l) files)"
exit "$status"
