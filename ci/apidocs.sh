#!/usr/bin/env bash
# The API reference of libkiln, generated with Doxygen from the comments of its public headers
# (library/include/kiln/) into build/apidocs/html/index.html. Every public symbol must be
# documented: an undocumented one, or a comment Doxygen cannot read, fails the script
# (WARN_IF_UNDOCUMENTED, WARN_AS_ERROR), naming the header and line.
# Usage: ci/apidocs.sh [output directory]. KILN_APIDOCS_HEADERS names another directory holding
# kiln/*.h (the test of this script checks that a header with an undocumented symbol fails).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v doxygen >/dev/null; then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends doxygen >&2
fi
out=$(realpath -m "${1:-build/apidocs}")
headers=$(realpath "${KILN_APIDOCS_HEADERS:-library/include}")

version=$(sed -n 's/^project(kiln VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)
IFS=. read -r major minor patch <<<"$version"
work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-apidocs-XXXXXX")
trap 'rm -rf "$work"' EXIT
# The headers as installed: kiln/version.h is made by CMake from library/cmake/version.h.in.
mkdir -p "$work/include"
cp -r "$headers/kiln" "$work/include/kiln"
[[ -f $work/include/kiln/version.h ]] ||
  sed -e "s/@PROJECT_VERSION@/$version/" -e "s/@PROJECT_VERSION_MAJOR@/$major/" \
      -e "s/@PROJECT_VERSION_MINOR@/$minor/" -e "s/@PROJECT_VERSION_PATCH@/$patch/" \
      library/cmake/version.h.in >"$work/include/kiln/version.h"

mkdir -p "$out"
doxygen - >"$work/doxygen.log" 2>&1 <<DOXYFILE || { cat "$work/doxygen.log" >&2; exit 1; }
PROJECT_NAME           = kiln
PROJECT_NUMBER         = $version
PROJECT_BRIEF          = "Container images built and verified in-process"
OUTPUT_DIRECTORY       = $out
INPUT                  = $work/include/kiln
FILE_PATTERNS          = *.h
STRIP_FROM_PATH        = $work/include
STRIP_FROM_INC_PATH    = $work/include
FULL_PATH_NAMES        = YES
EXTRACT_ALL            = NO
EXTRACT_PRIVATE        = NO
HIDE_UNDOC_MEMBERS     = NO
EXCLUDE_SYMBOLS        = kiln::detail kiln::detail::*
ENABLE_PREPROCESSING   = YES
MACRO_EXPANSION        = YES
EXPAND_ONLY_PREDEF     = YES
PREDEFINED             = KILN_API=
JAVADOC_AUTOBRIEF      = YES
QUIET                  = YES
WARNINGS               = YES
WARN_IF_UNDOCUMENTED   = YES
WARN_IF_DOC_ERROR      = YES
WARN_IF_INCOMPLETE_DOC = NO
WARN_NO_PARAMDOC       = NO
WARN_AS_ERROR          = FAIL_ON_WARNINGS
GENERATE_HTML          = YES
GENERATE_LATEX         = NO
HAVE_DOT               = NO
SEARCHENGINE           = NO
DOXYFILE
grep -i "warning" "$work/doxygen.log" >&2 || true
echo "API reference: $out/html/index.html" >&2
