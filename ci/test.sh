#!/usr/bin/env bash
# The whole test suite: unit tests and integration tests against real services (each test
# starts its own docker-registry on 127.0.0.1 and stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh
ctest --test-dir build --output-on-failure --parallel "$(nproc)" --timeout 300
