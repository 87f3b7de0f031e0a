#include "plugin/outputs.h"

#include "core/atomic_file.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/error.h"
#include "core/read_file.h"
#include "oci/json.h"

namespace kiln::plugin {
namespace {

// go-containerregistry, and so kaniko, names Docker Hub index.docker.io.
std::string repository_name(const oci::Reference& ref) {
  const std::string registry = ref.registry() == "docker.io" ? "index.docker.io" : ref.registry();
  return registry + "/" + ref.repository();
}

std::string tagged(const oci::Reference& ref) { return repository_name(ref) + ":" + ref.tag(); }

std::string first_ref(const BuildResult& result) {
  if (result.pushed.empty()) return "";
  return tagged(result.pushed.front()) + "@" + result.digest.to_string();
}

// drone-plugin-lib's registry types.
std::string registry_type(const std::string& registry) {
  if (registry.find(".dkr.ecr.") != std::string::npos && registry.ends_with(".amazonaws.com")) return "ECR";
  if (registry == "gcr.io" || registry.ends_with(".gcr.io")) return "GCR";
  if (registry.ends_with("-docker.pkg.dev")) return "GAR";
  return "Docker";
}

// drone-plugin-lib's own test writes Docker Hub as "https://index.docker.io/".
std::string registry_url(const std::string& registry) {
  return "https://" + (registry == "docker.io" ? std::string("index.docker.io") : registry) + "/";
}

// DRONE_OUTPUT collects the steps' KEY=value lines; Drone itself reads it whole.
constexpr std::size_t max_drone_output_bytes = 16 << 20;

std::string read_existing(const std::string& path) {
  return read_file(path, max_drone_output_bytes, "DRONE_OUTPUT file").value_or("");
}

}  // namespace

OutputFiles output_files(const Settings& settings, const Env& env) {
  const std::string type = settings.get("registry_type");
  if (!type.empty() && type != "Docker" && type != "ECR" && type != "GCR" && type != "GAR" && type != "ACR")
    throw_usage(fmt::format("setting registry_type: '{}' is not one of Docker, ECR, GCR, GAR, ACR", type));
  return OutputFiles{.digest_file = settings.get("digest_file"),
                     .image_name_with_digest_file = settings.get("image_name_with_digest_file"),
                     .image_name_tag_with_digest_file = settings.get("image_name_tag_with_digest_file"),
                     .artifact_file = settings.get("artifact_file"),
                     .dotenv_file = settings.get("dotenv_file"),
                     .drone_output = env.get("DRONE_OUTPUT").value_or(""),
                     .registry_type = type};
}

std::string digest_file_text(const BuildResult& result) { return result.digest.to_string(); }

std::string image_name_with_digest_text(const BuildResult& result) {
  std::string out;
  for (const auto& ref : result.pushed) out += repository_name(ref) + "@" + result.digest.to_string() + "\n";
  return out;
}

std::string image_name_tag_with_digest_text(const BuildResult& result) {
  std::string out;
  for (const auto& ref : result.pushed) out += tagged(ref) + "@" + result.digest.to_string() + "\n";
  return out;
}

std::string artifact_file_text(const BuildResult& result, const std::string& type) {
  const std::string registry = result.pushed.empty() ? "" : result.pushed.front().registry();
  oci::Json images = oci::Json::array();
  for (const auto& ref : result.pushed)
    images.push_back(oci::Json{{"image", tagged(ref)}, {"digest", result.digest.to_string()}});
  const oci::Json artifact{{"kind", "docker/v1"},
                           {"data", oci::Json{{"registryType", type.empty() ? registry_type(registry) : type},
                                              {"registryUrl", registry_url(registry)},
                                              {"images", images}}}};
  return artifact.dump();
}

std::string drone_output_text(const BuildResult& result) {
  const std::string digest = result.digest.to_string();
  // drone-kaniko adds IMAGE_TAR_PATH when it wrote a tarball.
  return fmt::format("digest={}\nIMAGE_DIGEST={}\nIMAGE_REF={}\n{}", digest, digest, first_ref(result),
                     result.tar_path.empty() ? "" : "IMAGE_TAR_PATH=" + result.tar_path + "\n");
}

std::string dotenv_file_text(const BuildResult& result) {
  std::string tags;
  for (const auto& ref : result.pushed) tags += (tags.empty() ? "" : ",") + ref.tag();
  return fmt::format("IMAGE_DIGEST={}\nIMAGE_REF={}\nIMAGE_TAGS={}\n", result.digest.to_string(), first_ref(result),
                     tags);
}

void write_output(const std::string& path, const std::string& text, const std::string& setting) {
  try {
    write_file_atomically(path, text);
  } catch (const Error& e) {
    throw_infra(fmt::format("setting {}: {}", setting, e.what()));
  }
}

void write_outputs(const OutputFiles& files, const BuildResult& result) {
  if (!files.digest_file.empty()) write_output(files.digest_file, digest_file_text(result), "digest_file");
  if (!files.image_name_with_digest_file.empty())
    write_output(files.image_name_with_digest_file, image_name_with_digest_text(result),
                          "image_name_with_digest_file");
  if (!files.image_name_tag_with_digest_file.empty())
    write_output(files.image_name_tag_with_digest_file, image_name_tag_with_digest_text(result),
                          "image_name_tag_with_digest_file");
  if (!files.artifact_file.empty())
    write_output(files.artifact_file, artifact_file_text(result, files.registry_type), "artifact_file");
  if (!files.dotenv_file.empty()) write_output(files.dotenv_file, dotenv_file_text(result), "dotenv_file");
  if (!files.drone_output.empty())
    write_output(files.drone_output, read_existing(files.drone_output) + drone_output_text(result),
                          "DRONE_OUTPUT");
}

}  // namespace kiln::plugin
