#!/usr/bin/env bash
# A newcomer's first run, measured. Clones this checkout's HEAD into a temp dir and there runs
# the README's two commands in order, ./ci/demo.sh then ./ci/test.sh, as a newcomer would. The
# compiler cache is off: a fresh machine has none. The Debian packages are installed first
# (ci/setup.sh), outside the timing, because their download time is the mirror's, not kiln's.
#
# For each command it prints the wall seconds and the CPU seconds (user + system of every
# process it ran). The CPU seconds barely depend on what else the machine runs; on a busy
# machine, quote them with the load average printed beside them, not the wall time alone.
#
# Usage: ci/first-run-bench.sh [--runs N] [--demo-only] [--cmake-args "-DCMAKE_UNITY_BUILD=OFF ..."]
#   --runs N        clone and measure N times (default 1), then print the medians
#   --demo-only     stop after ./ci/demo.sh
#   --cmake-args    extra arguments for the configure step (KILN_CMAKE_ARGS of ci/build.sh),
#                   to compare build variants such as unity builds or precompiled headers
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$PWD

runs=1 demo_only=0 cmake_args=
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --demo-only) demo_only=1; shift ;;
    --cmake-args) cmake_args=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "first-run-bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]?$ ]] || { echo "first-run-bench: --runs takes 1..99, not $runs" >&2; exit 2; }

ci/setup.sh

# Runs one command in the clone; prints "<wall s> <cpu s>", or fails with the log's tail.
measure() {
  local dir=$1 log=$2; shift 2
  python3 - "$dir" "$log" "$@" <<'PY'
import resource, subprocess, sys, time
directory, log, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(log, "wb") as out:
    start = time.monotonic()
    status = subprocess.call(argv, cwd=directory, stdout=out, stderr=subprocess.STDOUT)
    wall = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
if status != 0:
    sys.stderr.write(f"first-run-bench: {' '.join(argv)} failed with status {status}; the end of {log}:\n")
    sys.stderr.write(open(log, errors="replace").read()[-3000:])
    sys.exit(1)
print(f"{wall:.1f} {usage.ru_utime + usage.ru_stime:.1f}")
PY
}

load() { cut -d' ' -f1 /proc/loadavg; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-first-run-XXXXXX")
trap 'rm -rf "$work"' EXIT
commit=$(git rev-parse --short HEAD)
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "commit: $commit (HEAD; uncommitted changes are not measured)${cmake_args:+, cmake: $cmake_args}"
printf '%-4s %-10s %9s %9s %11s\n' run command wall_s cpu_s load_start
demo_walls=() demo_cpus=() test_walls=() test_cpus=()
for ((run = 1; run <= runs; run++)); do
  clone=$work/kiln-$run
  git clone --quiet --no-hardlinks "$source_dir" "$clone"
  export CCACHE_DISABLE=1 KILN_CMAKE_ARGS=$cmake_args
  before=$(load)
  read -r wall cpu < <(measure "$clone" "$work/demo-$run.log" ./ci/demo.sh) || exit 1
  printf '%-4s %-10s %9s %9s %11s\n' "$run" ci/demo.sh "$wall" "$cpu" "$before"
  demo_walls+=("$wall") demo_cpus+=("$cpu")
  if ((!demo_only)); then
    before=$(load)
    read -r wall cpu < <(measure "$clone" "$work/test-$run.log" ./ci/test.sh) || exit 1
    printf '%-4s %-10s %9s %9s %11s\n' "$run" ci/test.sh "$wall" "$cpu" "$before"
    test_walls+=("$wall") test_cpus+=("$cpu")
  fi
  rm -rf "$clone"
done
echo "median ci/demo.sh: wall $(printf '%s\n' "${demo_walls[@]}" | median) s, cpu $(printf '%s\n' "${demo_cpus[@]}" | median) s (target: wall <= 240 s)"
if ((!demo_only)); then
  echo "median ci/test.sh: wall $(printf '%s\n' "${test_walls[@]}" | median) s, cpu $(printf '%s\n' "${test_cpus[@]}" | median) s (target: wall <= 900 s)"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
