#!/usr/bin/env bash
# Installs the Debian packages kiln builds and tests with, only those that are missing.
# `ci/setup.sh fuzz` installs instead what ci/fuzz.sh needs on top: clang with libFuzzer's
# runtime and llvm-symbolizer for readable crash stacks.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config
  # the linker (cmake/Linker.cmake): relinking the test programs takes a quarter of GNU ld's time
  mold
  libpoco-dev libarchive-dev libpugixml-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libyaml-cpp-dev
  libre2-dev libssl-dev zlib1g-dev libzstd-dev libgtest-dev libgmock-dev libbenchmark-dev
  # real services and independent clients the tests check kiln against
  docker-registry skopeo umoci runc buildah busybox-static libxml2-utils python3-kubernetes python3-jsonschema
  apache2-utils openssl ca-certificates
  # kiln-server tests: curl reads the SSE log stream, sqlite3 reads the server's database
  curl sqlite3
  # the library's API reference (ci/apidocs.sh), generated from the public headers
  doxygen
)
if [[ ${1:-} == fuzz ]]; then
  packages=(clang clang-14 libclang-rt-14-dev llvm-14)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ci/setup.sh: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

