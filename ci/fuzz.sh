#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan + libFuzzer) in build-fuzz/ and
# runs each for a bounded time from a copy of its checked-in seed corpus (fuzz/corpus/<target>/),
# so the corpus only changes when someone adds an input on purpose. Fails when any target finds
# a crash, a leak, undefined behaviour, a timeout or runs out of memory; the inputs that did it
# are left in build-fuzz/crashes/<target>/ (reproduce: build-fuzz/fuzz/<target> <file>).
# Usage: ci/fuzz.sh [seconds per target (default 60)] [target ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
"$PWD/ci/setup.sh"
"$PWD/ci/setup.sh" fuzz

launchers=()
command -v ccache >/dev/null && launchers=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launchers[@]}" \
  -DKILN_FUZZ=ON -DKILN_SANITIZE=address,undefined -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target kiln-fuzz-targets

targets=("$@")
((${#targets[@]})) || mapfile -t targets < build-fuzz/fuzz/fuzz-targets.txt

export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
command -v llvm-symbolizer-14 >/dev/null && export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer-14)"

failed=()
for target in "${targets[@]}"; do
  [[ -d fuzz/corpus/$target ]] || { echo "ci/fuzz.sh: no seed corpus fuzz/corpus/$target" >&2; exit 2; }
  work="build-fuzz/run/$target"
  crashes="build-fuzz/crashes/$target"
  rm -rf "$work" "$crashes"
  mkdir -p "$work/corpus" "$crashes"
  cp -r "fuzz/corpus/$target/." "$work/corpus/"
  echo "ci/fuzz.sh: $target for ${seconds}s" >&2
  # -timeout: one input over 10 s is a hang; -rss_limit_mb: a bounded parser stays far below it.
  # -fork would survive the first crash, but each finding is fixed before the next run anyway.
  if ! "build-fuzz/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$crashes/" "$work/corpus" >"$work/log" 2>&1; then
    failed+=("$target")
    echo "ci/fuzz.sh: $target FAILED: $(ls "$crashes" | tr '\n' ' ')(log: $work/log)" >&2
    grep -m1 -A12 "ERROR: \|runtime error\|uncaught\|deadly signal" "$work/log" >&2 || tail -20 "$work/log" >&2
  else
    echo "ci/fuzz.sh: $target clean: $(grep -m1 'stat::number_of_executed_units' "$work/log" | awk '{print $2}') runs, $(ls "$work/corpus" | wc -l) corpus inputs" >&2
  fi
done
if ((${#failed[@]})); then
  echo "ci/fuzz.sh: crashes in ${failed[*]}; inputs in build-fuzz/crashes/" >&2
  exit 1
fi
echo "ci/fuzz.sh: ${#targets[@]} targets clean for ${seconds}s each" >&2
