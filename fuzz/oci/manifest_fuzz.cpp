// Manifests, indexes and configs as a registry (or an OCI layout) serves them, through what
// kiln reads and edits in them. A hostile document may be rejected with any std::exception
// (nlohmann's type errors included: main() maps them to exit 3, as for a registry failure);
// what must never happen is a crash, undefined behaviour or a leak.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "oci/image/manifest_edit.h"
#include "oci/image/platform.h"
#include "oci/json.h"
#include "oci/media_type.h"

namespace {

using kiln::oci::Json;

const kiln::oci::Descriptor kLayer{
    .media_type = "application/vnd.oci.image.layer.v1.tar+gzip",
    .digest = kiln::oci::Digest::parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    .size = 32};

template <typename F>
void tolerate(F&& f) {
  try {
    f();
  } catch (const std::exception&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Json doc;
  try {
    doc = kiln::oci::parse_json(text, "fuzz manifest");
  } catch (const std::exception&) {
    return 0;
  }
  // What kiln sends and hashes must read back as the same document.
  if (kiln::oci::parse_json(kiln::oci::dump_json(doc), "dumped") != doc) std::abort();

  tolerate([&] { kiln::oci::is_docker_manifest(doc, "application/vnd.docker.distribution.manifest.v2+json"); });
  tolerate([&] { kiln::oci::converted_to_oci(doc); });
  tolerate([&] { kiln::oci::with_config_and_layers(doc, kLayer, {kLayer}); });
  tolerate([&] {
    kiln::oci::with_base_annotations(doc, "docker.io/library/busybox:latest", kLayer.digest);
  });
  tolerate([&] { kiln::oci::Platform::from_config(doc); });
  tolerate([&] { kiln::oci::select_platform(doc, kiln::oci::Platform::parse("linux/arm64/v8")); });
  tolerate([&] {
    if (auto child = kiln::oci::select_platform(doc, kiln::oci::Platform::parse("linux/amd64")))
      kiln::oci::with_children(doc, {{.base_descriptor = *child, .manifest = kLayer}});
  });
  tolerate([&] {
    if (doc.is_object() && doc.contains("manifests") && doc["manifests"].is_array())
      for (const Json& d : doc["manifests"]) kiln::oci::is_attestation(d);
  });
  return 0;
}
