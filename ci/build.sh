#!/usr/bin/env bash
# Configures and builds everything into build/ (the plain cmake build, with Ninja when present).
set -euo pipefail
cd "$(dirname "$0")/.."
"$PWD/ci/setup.sh"
generator=()
[[ -f build/CMakeCache.txt ]] || { command -v ninja >/dev/null && generator=(-G Ninja); }
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --parallel "$(nproc)"
