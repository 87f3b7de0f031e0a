#!/usr/bin/env bash
# Rewrites the generated settings reference in README.md (between the settings-reference
# markers) with the output of `kiln-plugin --settings-reference`.
# Usage: ci/update-readme.sh [path/to/kiln-plugin]   (default: build/plugin/kiln-plugin)
set -euo pipefail
cd "$(dirname "$0")/.."
plugin="${1:-build/plugin/kiln-plugin}"
if [[ ! -x "$plugin" ]]; then
  echo "update-readme: $plugin not found; build first (cmake -S . -B build && cmake --build build)" >&2
  exit 2
fi
start='<!-- settings-reference:start -->'
end='<!-- settings-reference:end -->'
grep -qxF "$start" README.md && grep -qxF "$end" README.md || {
  echo "update-readme: README.md lacks the lines $start and $end" >&2
  exit 2
}
generated="$(mktemp)"
trap 'rm -f "$generated" README.md.new' EXIT
"$plugin" --settings-reference >"$generated"
awk -v start="$start" -v end="$end" -v gen="$generated" '
  $0 == start { print; while ((getline line < gen) > 0) print line; skipping = 1; next }
  $0 == end { skipping = 0 }
  !skipping { print }
' README.md >README.md.new
mv README.md.new README.md
echo "update-readme: README.md settings reference regenerated"
