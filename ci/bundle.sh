#!/usr/bin/env bash
# Assembles the self-contained bundle: kiln-plugin and kiln-verify with every shared library
# they load and glibc's own loader, plus the static kiln-probe, in one directory that runs from
# any path in an otherwise empty root filesystem (no shell, no /lib, no ld.so.cache):
#
#   <bundle>/kiln-plugin, <bundle>/kiln-verify   the static launcher (bundle/launcher.c)
#   <bundle>/kiln-probe                          static already
#   <bundle>/lib/kiln-plugin, lib/kiln-verify    the real programs
#   <bundle>/lib/*.so*                           every library ldd lists, and the loader
#   <bundle>/lib/ld.so -> ld-linux-<arch>.so.N   what the launcher runs them with
#
# Debian ships no static Poco, so the two programs stay dynamic; the launcher runs
# `lib/ld.so --library-path lib --argv0 <bundle>/<name> lib/<name>`, which needs no RPATH and
# no fixed install path.
# Usage: ci/bundle.sh [bundle dir (default build/bundle/kiln)] [build dir (default build)]
# Build first (ci/build.sh); the targets it needs: kiln-plugin kiln-verify kiln-probe kiln-launcher.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build/bundle/kiln}"
build="${2:-build}"

launcher="$build/bundle/kiln-launcher"
probe="$build/probe/kiln-probe"
programs=("$build/plugin/kiln-plugin" "$build/verify/kiln-verify")
for f in "$launcher" "$probe" "${programs[@]}"; do
  [[ -x $f ]] || { echo "ci/bundle.sh: $f not found; build first (ci/build.sh)" >&2; exit 2; }
done

rm -rf "$out"
mkdir -p "$out/lib"
strip_copy() {  # strip_copy SRC DEST: copy, following links, without debug sections
  cp -L "$1" "$2"
  chmod u+w "$2"
  if command -v strip >/dev/null; then strip --strip-debug "$2"; fi
}

loader=
for program in "${programs[@]}"; do
  name=$(basename "$program")
  strip_copy "$program" "$out/lib/$name"
  install -m 0755 "$launcher" "$out/$name"
  # "libfoo.so.1 => /usr/lib/.../libfoo.so.1 (0x...)" and the loader "/lib64/ld-linux-x86-64.so.2 (0x...)".
  while read -r path; do
    [[ -f $out/lib/$(basename "$path") ]] || strip_copy "$path" "$out/lib/$(basename "$path")"
  done < <(ldd "$program" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
  interp=$(ldd "$program" | awk '$1 ~ /^\// && $1 ~ /ld-linux/ { print $1 }')
  [[ -n $interp ]] || { echo "ci/bundle.sh: no loader in ldd $program" >&2; exit 1; }
  loader=$(basename "$interp")
done
ln -s "$loader" "$out/lib/ld.so"
install -m 0755 "$probe" "$out/kiln-probe"

# Nothing may be missing: every library resolves inside lib/ alone.
for name in kiln-plugin kiln-verify; do
  if "$out/lib/ld.so" --library-path "$out/lib" --list "$out/lib/$name" | grep -q "not found"; then
    echo "ci/bundle.sh: $name needs a library the bundle lacks" >&2
    exit 1
  fi
done
"$out/kiln-plugin" --version >/dev/null
"$out/kiln-verify" --version >/dev/null
echo "ci/bundle.sh: $out ($(du -sh "$out" | cut -f1), $(ls "$out/lib" | wc -l) files in lib/)" >&2
