// The Drone card kiln writes in plugins/docker's place: the same schema and fields, so Drone
// renders it with plugins/docker's template.
#include "plugin/drone_card.h"

#include <Poco/Base64Decoder.h>
#include <gtest/gtest.h>

#include <sstream>

namespace kiln::plugin {
namespace {

oci::ResolvedImage pushed_image() {
  oci::ResolvedImage image{.digest = oci::Digest::parse("sha256:" + std::string(64, 'b'))};
  image.manifest = oci::Json::parse(R"({"schemaVersion":2,
    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":300,"digest":"sha256:c0ffee"},
    "layers":[{"size":1000},{"size":2048}]})");
  image.config = oci::Json::parse(R"({"created":"2023-11-14T22:13:20Z","architecture":"arm64","os":"linux",
    "author":"team"})");
  return image;
}

BuildResult result_of(const std::string& repository) {
  BuildResult result{.digest = oci::Digest::parse("sha256:" + std::string(64, 'a'))};
  result.pushed = {oci::Reference::parse(repository + ":1.0"), oci::Reference::parse(repository + ":latest")};
  return result;
}

TEST(DroneCard, CarriesDockerInspectFieldsUnderPluginsDockersSchema) {
  const auto card = oci::Json::parse(drone_card_json(result_of("registry.example:5000/team/app"), pushed_image(),
                                                     std::chrono::system_clock::from_time_t(1700000000)));
  EXPECT_EQ(card["schema"], "https://drone-plugins.github.io/drone-docker/card.json");
  const oci::Json& data = card["data"];
  EXPECT_EQ(data["Id"], "sha256:c0ffee");
  EXPECT_EQ(data["RepoTags"], (oci::Json{"registry.example:5000/team/app:1.0", "registry.example:5000/team/app:latest"}));
  EXPECT_EQ(data["ParsedRepoTags"][1]["Tag"], "registry.example:5000/team/app:latest");
  EXPECT_EQ(data["RepoDigests"], (oci::Json{"registry.example:5000/team/app@sha256:" + std::string(64, 'a')}))
      << "two tags of one repository name one digest reference";
  EXPECT_EQ(data["Architecture"], "arm64");
  EXPECT_EQ(data["Os"], "linux");
  EXPECT_EQ(data["Author"], "team");
  EXPECT_EQ(data["Created"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(data["Size"], 3048);
  EXPECT_EQ(data["SizeString"], "2.98KB");
  EXPECT_EQ(data["Metadata"]["LastTagTime"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(data["Time"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(data["URL"], "https://registry.example:5000/team/app");
}

TEST(DroneCard, LinksTheRegistriesPluginsDockerKnows) {
  const auto url = [](const std::string& repository) {
    return oci::Json::parse(drone_card_json(result_of(repository), pushed_image(), {}))["data"]["URL"];
  };
  EXPECT_EQ(url("octocat/hello"), "https://hub.docker.com/r/octocat/hello");
  EXPECT_EQ(url("gcr.io/project/app"), "https://console.cloud.google.com/gcr/images/project/app");
  EXPECT_EQ(url("123.dkr.ecr.us-east-1.amazonaws.com/app"), "https://gallery.ecr.aws/app");
}

// github.com/inhies/go-bytesize: powers of 1024, two decimals, the largest unit not above the value.
TEST(DroneCard, SizesReadAsGoBytesizePrintsThem) {
  EXPECT_EQ(go_bytesize(0), "0.00B");
  EXPECT_EQ(go_bytesize(1023), "1023.00B");
  EXPECT_EQ(go_bytesize(1024), "1.00KB");
  EXPECT_EQ(go_bytesize(52428800), "50.00MB");
  EXPECT_EQ(go_bytesize(std::int64_t{3} << 30), "3.00GB");
}

// Drone's docker runner sets DRONE_CARD_PATH=/dev/stdout and reads the card from the step's log.
TEST(DroneCard, StdoutGetsTheEscapeSequenceDronesRunnerReads) {
  const std::string card = R"({"schema":"s","data":{}})";
  EXPECT_EQ(drone_card_output("/tmp/card.json", card), card);
  const std::string out = drone_card_output("/dev/stdout", card);
  ASSERT_TRUE(out.starts_with("\x1b]1338;")) << out;
  ASSERT_TRUE(out.ends_with("\x1b]0m\n")) << out;
  std::istringstream encoded(out.substr(7, out.size() - 7 - 5));
  Poco::Base64Decoder decoder(encoded);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(decoder), {}), card);
}

}  // namespace
}  // namespace kiln::plugin
