#!/usr/bin/env bash
# kiln-bench from a fresh clone: installs the Debian packages that are missing, builds, then
# runs build/bench/kiln-bench with the arguments given; with none, the reference workload (a
# 50 MiB binary on a 100 MiB base, gzip and zstd, 5 runs, embedded registry on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh >&2
if (($# == 0)); then set -- --workload 50,100 --compression gzip,zstd --runs 5; fi
exec build/bench/kiln-bench "$@"
