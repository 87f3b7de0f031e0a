#!/usr/bin/env bash
# The whole test suite built with AddressSanitizer and UndefinedBehaviorSanitizer (gcc), in
# build-asan/: the second CI command, next to ci/test.sh (a full sanitized build takes long).
# Every finding fails the run: ASan halts on the first error, UBSan does not recover, leaks are
# errors. Static targets (kiln-probe, the bundle launcher) build without sanitizers
# (cmake/Sanitize.cmake). Suppressions, each with its reason, are in ci/sanitize/.
# Usage: ci/sanitize.sh [ctest arguments, e.g. -R Dockerfile]
set -euo pipefail
cd "$(dirname "$0")/.."
"$PWD/ci/setup.sh"

launchers=()
command -v ccache >/dev/null && launchers=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launchers[@]}" \
  -DKILN_SANITIZE=address,undefined >/dev/null
cmake --build build-asan --parallel "$(nproc)"

supp="$PWD/ci/sanitize"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:print_stacktrace=1:strict_init_order=1:detect_stack_use_after_return=0:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
# Sanitized programs run several times slower; the per-test limit is twice ci/test.sh's.
ctest --test-dir build-asan --output-on-failure --parallel "$(nproc)" --timeout 600 "$@"
