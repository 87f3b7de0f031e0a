#!/usr/bin/env bash
# Configures and builds everything into build/ (the plain cmake build, with Ninja when present).
set -euo pipefail
cd "$(dirname "$0")/.."
"$PWD/ci/setup.sh"
generator=()
[[ -f build/CMakeCache.txt ]] || { command -v ninja >/dev/null && generator=(-G Ninja); }
# A machine that has ccache (not required) rebuilds only what changed, also in a fresh clone.
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --parallel "$(nproc)"
