#!/usr/bin/env bash
# Rewrites the generated settings references with what the programs' own tables generate:
# `kiln-plugin --settings-reference` between the settings-reference markers of docs/settings.md and
# `kiln-verify --settings-reference` between the verify-settings-reference markers of docs/verify.md, and
# `kiln-plugin --settings-parity` between the settings-parity markers of docs/settings-parity.md, and
# `kiln-server api-reference` (from server/api/openapi.json) between the api-reference markers of docs/server.md.
# Usage: ci/update-readme.sh [build dir]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"

replace_block() {  # <document> <marker name> <program> [flag]
  local doc="$1" start="<!-- $2:start -->" end="<!-- $2:end -->" program="$3" flag="${4:---settings-reference}"
  if [[ ! -x "$program" ]]; then
    echo "update-readme: $program not found; build first (cmake -S . -B build && cmake --build build)" >&2
    exit 2
  fi
  grep -qxF "$start" "$doc" && grep -qxF "$end" "$doc" || {
    echo "update-readme: $doc lacks the lines $start and $end" >&2
    exit 2
  }
  local generated
  generated="$(mktemp)"
  "$program" "$flag" >"$generated"
  awk -v start="$start" -v end="$end" -v gen="$generated" '
    $0 == start { print; while ((getline line < gen) > 0) print line; skipping = 1; next }
    $0 == end { skipping = 0 }
    !skipping { print }
  ' "$doc" >"$doc.new"
  mv "$doc.new" "$doc"
  rm -f "$generated"
  echo "update-readme: $doc $2 regenerated"
}

replace_block docs/settings.md settings-reference "$build/plugin/kiln-plugin"
replace_block docs/verify.md verify-settings-reference "$build/verify/kiln-verify"
replace_block docs/settings-parity.md settings-parity "$build/plugin/kiln-plugin" --settings-parity
replace_block docs/server.md api-reference "$build/server/kiln-server" api-reference
