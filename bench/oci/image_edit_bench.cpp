// Config and manifest editing (oci/image/config_edit, manifest_edit): what a build does to the
// base's JSON once its layers are known. The base is shaped like a large real one (30 layers, a
// history line each, 12 Env entries, 20 labels); one iteration parses both documents, appends
// the application layer, sets the entrypoint, serialises and hashes them, as a build does.
// MB/s are of JSON bytes read and written.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "oci/image/config_edit.h"
#include "oci/image/manifest_edit.h"
#include "oci/json.h"
#include "oci/media_type.h"
#include "oci/sha256.h"

namespace {

using kiln::oci::Json;
constexpr int kBaseLayers = 30;

kiln::oci::Digest digest_of(const std::string& seed) { return kiln::oci::Sha256::of(seed); }

std::string base_config() {
  Json config = {{"architecture", "amd64"}, {"os", "linux"}, {"created", "2024-01-01T00:00:00Z"}};
  Json env = Json::array(), labels = Json::object(), diff_ids = Json::array(), history = Json::array();
  for (int i = 0; i < 12; ++i) env.push_back(fmt::format("VARIABLE_{}=/opt/tool-{}/bin:/usr/local/bin", i, i));
  for (int i = 0; i < 20; ++i) labels[fmt::format("org.example.label-{}", i)] = fmt::format("value {}", i);
  for (int i = 0; i < kBaseLayers; ++i) {
    diff_ids.push_back(digest_of(fmt::format("diff {}", i)).to_string());
    history.push_back({{"created", "2024-01-01T00:00:00Z"},
                       {"created_by", fmt::format("/bin/sh -c apt-get install -y package-{} && rm -rf /var/lib/apt", i)}});
  }
  config["config"] = {{"Env", env}, {"Labels", labels}, {"Cmd", {"/bin/sh"}}, {"WorkingDir", "/"}};
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  config["history"] = history;
  return kiln::oci::dump_json(config);
}

std::string base_manifest() {
  Json layers = Json::array();
  for (int i = 0; i < kBaseLayers; ++i)
    layers.push_back(kiln::oci::Descriptor{.media_type = std::string(kiln::oci::media_type::docker_layer_gzip),
                                           .digest = digest_of(fmt::format("blob {}", i)), .size = 1000000 + i}
                         .to_json());
  Json manifest = {{"schemaVersion", 2}, {"mediaType", kiln::oci::media_type::docker_manifest}};
  manifest["config"] = kiln::oci::Descriptor{.media_type = std::string(kiln::oci::media_type::docker_config),
                                             .digest = digest_of("config"), .size = 4000}
                           .to_json();
  manifest["layers"] = layers;
  return kiln::oci::dump_json(manifest);
}

void BM_ConfigAndManifestEdit(benchmark::State& state) {
  const std::string config_text = base_config(), manifest_text = base_manifest();
  const auto layer_diff_id = digest_of("app diff"), layer_digest = digest_of("app blob");
  std::size_t written = 0;
  for (auto _ : state) {
    Json config = kiln::oci::parse_json(config_text, "base config");
    config = kiln::oci::with_layer(config, layer_diff_id, {.created_by = "COPY main /usr/local/app/main # kiln",
                                                           .comment = "kiln native build"}, 0);
    config = kiln::oci::with_entrypoint(config, "/usr/local/app", {"/usr/local/app/main"});
    const std::string new_config = kiln::oci::dump_json(config);
    const auto config_digest = kiln::oci::Sha256::of(new_config);
    const Json manifest = kiln::oci::with_config_and_layers(
        kiln::oci::parse_json(manifest_text, "base manifest"),
        {.media_type = std::string(kiln::oci::media_type::docker_config), .digest = config_digest,
         .size = static_cast<std::int64_t>(new_config.size())},
        {{.media_type = std::string(kiln::oci::media_type::docker_layer_gzip), .digest = layer_digest, .size = 21839189}});
    const std::string new_manifest = kiln::oci::dump_json(manifest);
    benchmark::DoNotOptimize(kiln::oci::Sha256::of(new_manifest));
    written = new_config.size() + new_manifest.size();
  }
  const std::size_t per_iteration = config_text.size() + manifest_text.size() + written;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * per_iteration));
  state.counters["json_KB"] = static_cast<double>(per_iteration) / 1e3;
}

BENCHMARK(BM_ConfigAndManifestEdit)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
