#!/usr/bin/env bash
# Rewrites the generated settings references in README.md with what the programs' own tables
# generate: `kiln-plugin --settings-reference` between the settings-reference markers and
# `kiln-verify --settings-reference` between the verify-settings-reference markers.
# Usage: ci/update-readme.sh [build dir]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"

replace_block() {  # <marker name> <program>
  local start="<!-- $1:start -->" end="<!-- $1:end -->" program="$2"
  if [[ ! -x "$program" ]]; then
    echo "update-readme: $program not found; build first (cmake -S . -B build && cmake --build build)" >&2
    exit 2
  fi
  grep -qxF "$start" README.md && grep -qxF "$end" README.md || {
    echo "update-readme: README.md lacks the lines $start and $end" >&2
    exit 2
  }
  local generated
  generated="$(mktemp)"
  "$program" --settings-reference >"$generated"
  awk -v start="$start" -v end="$end" -v gen="$generated" '
    $0 == start { print; while ((getline line < gen) > 0) print line; skipping = 1; next }
    $0 == end { skipping = 0 }
    !skipping { print }
  ' README.md >README.md.new
  mv README.md.new README.md
  rm -f "$generated"
  echo "update-readme: README.md $1 regenerated"
}

replace_block settings-reference "$build/plugin/kiln-plugin"
replace_block verify-settings-reference "$build/verify/kiln-verify"
