#!/usr/bin/env bash
# Configures and builds into build/ (the plain cmake build, with Ninja when present): everything,
# or only the targets named (ci/build.sh kiln-plugin kiln-verify). KILN_CMAKE_ARGS adds
# configure arguments (KILN_CMAKE_ARGS=-DCMAKE_UNITY_BUILD=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
"$PWD/ci/setup.sh"
generator=()
[[ -f build/CMakeCache.txt ]] || { command -v ninja >/dev/null && generator=(-G Ninja); }
# A machine that has ccache (not required) rebuilds only what changed, also in a fresh clone.
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
read -r -a extra <<<"${KILN_CMAKE_ARGS:-}"
cmake -S . -B build "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${extra[@]}" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build --parallel "$(nproc)" "${targets[@]}"
