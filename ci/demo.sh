#!/usr/bin/env bash
# The main job, end to end on this machine: start a registry on 127.0.0.1 (the embedded
# default; set KILN_DEMO_REGISTRY=host:port to use a running plain-HTTP one instead), push a
# busybox-static base made by kiln's own code, build the demo application image natively with
# kiln-plugin exactly as a CI step would (PLUGIN_* settings), print the pushed reference and
# digest, verify it with kiln-verify (static and local drivers), then check it with skopeo and
# run it with umoci + runc.
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what the demo runs: the whole tree (tests, benchmarks) is ci/test.sh's to build.
ci/build.sh kiln-plugin kiln-verify kiln-probe kiln-make-base kiln-test-hello >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-demo-XXXXXX")
registry_pid=
cleanup() {
  # The registry ends by our SIGTERM (status 143); that is the demo succeeding, not failing.
  if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

registry=${KILN_DEMO_REGISTRY:-}
if [[ -z $registry ]]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  registry=127.0.0.1:$port
  cat > "$work/registry.yml" <<YAML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: $registry, secret: kiln-demo}
YAML
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://$registry/v2/')" 2>/dev/null && break
    sleep 0.1
  done
  echo "registry: docker-registry on $registry (data in $work/registry)" >&2
fi

echo "base: $(build/fixtures/kiln-make-base "$registry" demo/busybox 1)" >&2

# The step a pipeline would run: settings as PLUGIN_* variables.
PLUGIN_REPO=$registry/demo/hello \
PLUGIN_TAGS=1.0.0,latest \
PLUGIN_BASE_IMAGE=$registry/demo/busybox:1 \
PLUGIN_BINARY=build/tests/kiln-test-hello \
PLUGIN_INSECURE=true \
PLUGIN_DIGEST_FILE=$work/digest \
DOCKER_CONFIG=$work \
  build/plugin/kiln-plugin

# The step after it: kiln-verify checks what the digest file names, by reading its layers
# (static) and by running the application in it with runc (local); the JUnit reports are what
# a CI would publish.
for driver in static local; do
  echo "--- kiln-verify --driver $driver:" >&2
  PLUGIN_IMAGE=$registry/demo/hello \
  PLUGIN_DIGEST_FILE=$work/digest \
  PLUGIN_BINARY=build/tests/kiln-test-hello \
  PLUGIN_VERSION_ARGS=--version \
  PLUGIN_DRIVER=$driver \
  PLUGIN_INSECURE=true \
  PLUGIN_JUNIT=$work/kiln-verify-$driver.xml \
    build/verify/kiln-verify
done

echo "--- checked with skopeo, umoci and runc:" >&2
skopeo inspect --tls-verify=false "docker://$registry/demo/hello:1.0.0" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print("skopeo: digest", d["Digest"], "layers", len(d["Layers"]), d["Os"] + "/" + d["Architecture"])' >&2
skopeo copy -q --src-tls-verify=false "docker://$registry/demo/hello:1.0.0" "oci:$work/layout:demo" >&2
umoci unpack --image "$work/layout:demo" "$work/bundle" >/dev/null
python3 - "$work/bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
spec["process"]["terminal"] = False
json.dump(spec, open(path, "w"))
PY
echo -n "runc: " >&2
runc --root "$work/runc" run --bundle "$work/bundle" "kiln-demo-$$" >&2
