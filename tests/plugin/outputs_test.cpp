#include "plugin/outputs.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"

#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"

namespace kiln::plugin {
namespace {

const std::string kOutputsDigest = "sha256:" + std::string(64, 'a');

BuildResult two_tags(const std::string& repo = "registry.example.com/team/app") {
  const auto ref = oci::Reference::parse(repo + ":1.0");
  return BuildResult{.digest = oci::Digest::parse(kOutputsDigest),
                     .media_type = "application/vnd.oci.image.manifest.v1+json",
                     .pushed = {ref, ref.with_tag("latest")},
                     .layers_uploaded = 1,
                     .base_layers_copied = 0,
                     .backend = "native"};
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(Outputs, DigestFileHasNoNewline) { EXPECT_EQ(digest_file_text(two_tags()), kOutputsDigest); }

TEST(Outputs, ImageNameWithDigestIsOneLinePerDestination) {
  EXPECT_EQ(image_name_with_digest_text(two_tags()),
            "registry.example.com/team/app@" + kOutputsDigest + "\nregistry.example.com/team/app@" + kOutputsDigest + "\n");
}

TEST(Outputs, ImageNameTagWithDigest) {
  EXPECT_EQ(image_name_tag_with_digest_text(two_tags()),
            "registry.example.com/team/app:1.0@" + kOutputsDigest + "\nregistry.example.com/team/app:latest@" + kOutputsDigest + "\n");
}

// go-containerregistry (and so kaniko) writes Docker Hub as index.docker.io.
TEST(Outputs, DockerHubIsIndexDockerIo) {
  EXPECT_EQ(image_name_tag_with_digest_text(BuildResult{.digest = oci::Digest::parse(kOutputsDigest),
                                                        .media_type = "",
                                                        .pushed = {oci::Reference::parse("team/app:1")}}),
            "index.docker.io/team/app:1@" + kOutputsDigest + "\n");
}

TEST(Outputs, ArtifactFileIsDockerV1) {
  EXPECT_EQ(artifact_file_text(two_tags()),
            R"({"kind":"docker/v1","data":{"registryType":"Docker","registryUrl":"https://registry.example.com/","images":[)"
            R"({"image":"registry.example.com/team/app:1.0","digest":")" + kOutputsDigest + R"("},)"
            R"({"image":"registry.example.com/team/app:latest","digest":")" + kOutputsDigest + R"("}]}})");
}

TEST(Outputs, ArtifactRegistryTypes) {
  for (const auto& [repo, type] : std::vector<std::pair<std::string, std::string>>{
           {"123456789012.dkr.ecr.eu-west-1.amazonaws.com/app", "ECR"},
           {"gcr.io/p/app", "GCR"},
           {"eu.gcr.io/p/app", "GCR"},
           {"europe-docker.pkg.dev/p/r/app", "GAR"},
           {"ghcr.io/o/app", "Docker"}})
    EXPECT_NE(artifact_file_text(two_tags(repo)).find(R"("registryType":")" + type + "\""), std::string::npos) << repo;
}

TEST(Outputs, DroneOutputLines) {
  EXPECT_EQ(drone_output_text(two_tags()), "digest=" + kOutputsDigest + "\nIMAGE_DIGEST=" + kOutputsDigest +
                                               "\nIMAGE_REF=registry.example.com/team/app:1.0@" + kOutputsDigest + "\n");
  BuildResult with_tar = two_tags();
  with_tar.tar_path = "/out/image.tar";
  EXPECT_TRUE(drone_output_text(with_tar).ends_with("@" + kOutputsDigest + "\nIMAGE_TAR_PATH=/out/image.tar\n"));
}

TEST(Outputs, GitlabDotenv) {
  EXPECT_EQ(dotenv_file_text(two_tags()), "IMAGE_DIGEST=" + kOutputsDigest + "\nIMAGE_REF=registry.example.com/team/app:1.0@" +
                                              kOutputsDigest + "\nIMAGE_TAGS=1.0,latest\n");
}

TEST(Outputs, FilesFromSettingsAndEnv) {
  const Env env{{{"PLUGIN_ARTIFACT_FILE", "/o/artifact.json"}, {"PLUGIN_DOTENV_FILE", "/o/build.env"},
                 {"PLUGIN_DIGEST_FILE", "/o/digest"}, {"DRONE_OUTPUT", "/run/drone/output"}}};
  const Settings settings = load_settings(env, {}, nullptr);
  EXPECT_EQ(output_files(settings, env), (OutputFiles{.digest_file = "/o/digest",
                                                      .image_name_with_digest_file = "",
                                                      .image_name_tag_with_digest_file = "",
                                                      .artifact_file = "/o/artifact.json",
                                                      .dotenv_file = "/o/build.env",
                                                      .drone_output = "/run/drone/output"}));
}

// DRONE_OUTPUT may already hold an earlier step's lines: they are kept.
TEST(Outputs, WritesEveryFileAndAppendsToDroneOutput) {
  TempDir dir("kiln-outputs-test");
  const auto p = [&](const char* name) { return (dir.path() / name).string(); };
  std::ofstream(p("drone")) << "EARLIER=1\n";
  write_outputs(OutputFiles{.digest_file = p("digest"),
                            .image_name_with_digest_file = p("names"),
                            .image_name_tag_with_digest_file = p("tags"),
                            .artifact_file = p("artifact"),
                            .dotenv_file = p("dotenv"),
                            .drone_output = p("drone")},
                two_tags());
  EXPECT_EQ(read(p("digest")), kOutputsDigest);
  EXPECT_EQ(read(p("names")), image_name_with_digest_text(two_tags()));
  EXPECT_EQ(read(p("tags")), image_name_tag_with_digest_text(two_tags()));
  EXPECT_EQ(read(p("artifact")), artifact_file_text(two_tags()));
  EXPECT_EQ(read(p("dotenv")), dotenv_file_text(two_tags()));
  EXPECT_EQ(read(p("drone")), "EARLIER=1\n" + drone_output_text(two_tags()));
  // Nothing but the outputs is left behind: no temporary file.
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"artifact", "digest", "dotenv", "drone", "names", "tags"}));
}

TEST(Outputs, UnwritableFileNamesTheSetting) {
  try {
    write_output("/nonexistent-dir/x", "y", "artifact_file");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "setting artifact_file: cannot create /nonexistent-dir/x: No such file or directory");
  }
}

}  // namespace kiln::plugin
