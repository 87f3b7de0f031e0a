// RegistryClient against a real docker-registry over plain HTTP.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "oci/json.h"
#include "oci/media_type.h"
#include "oci/registry/client.h"
#include "oci/registry/error.h"
#include "oci/sha256.h"
#include "tests/support/local_registry.h"

namespace kiln::oci {
namespace {

BlobSource source_of(const std::string& data) {
  return BlobSource{.size = static_cast<std::int64_t>(data.size()),
                    .open = [data] { return std::make_unique<std::istringstream>(data); }};
}

std::string manifest_json(std::string_view manifest_type, std::string_view config_type, std::string_view layer_type,
                          const std::string& config, const std::string& layer) {
  Json doc = {{"schemaVersion", 2},
              {"mediaType", manifest_type},
              {"config", {{"mediaType", config_type}, {"digest", Sha256::of(config).to_string()}, {"size", config.size()}}},
              {"layers",
               Json::array({{{"mediaType", layer_type}, {"digest", Sha256::of(layer).to_string()}, {"size", layer.size()}}})}};
  return dump_json(doc);
}

class PlainRegistry : public ::testing::Test {
 protected:
  RegistryClient client() {
    return RegistryClient(registry.host(), std::make_shared<AnonymousKeychain>(), RegistryOptions{.insecure = true, .ca_file = {}});
  }
  testing::LocalRegistry registry;
};

}  // namespace

// The whole push-and-pull cycle: blob, OCI and Docker manifests, exact bytes back.
TEST_F(PlainRegistry, RoundTripsBlobsAndManifests) {
  auto c = client();
  c.ping();
  const std::string layer(300 * 1024, 'L');  // several 64 KiB chunks on the wire
  const std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  const Digest layer_digest = Sha256::of(layer), config_digest = Sha256::of(config);

  EXPECT_EQ(c.head_blob("team/app", layer_digest), std::nullopt);
  c.upload_blob("team/app", layer_digest, source_of(layer));
  c.upload_blob("team/app", config_digest, source_of(config));
  EXPECT_EQ(c.head_blob("team/app", layer_digest), static_cast<std::int64_t>(layer.size()));
  EXPECT_EQ(c.get_blob("team/app", config_digest), config);
  std::ostringstream streamed;
  EXPECT_EQ(c.get_blob_to("team/app", layer_digest, static_cast<std::int64_t>(layer.size()), streamed), static_cast<std::int64_t>(layer.size()));
  EXPECT_EQ(streamed.str(), layer);

  const std::string oci = manifest_json(media_type::oci_manifest, media_type::oci_config, media_type::oci_layer_gzip,
                                        config, layer);
  EXPECT_EQ(c.put_manifest("team/app", "v1", std::string(media_type::oci_manifest), oci), Sha256::of(oci));
  const std::string docker = manifest_json(media_type::docker_manifest, media_type::docker_config,
                                           media_type::docker_layer_gzip, config, layer);
  EXPECT_EQ(c.put_manifest("team/app", "docker", std::string(media_type::docker_manifest), docker), Sha256::of(docker));

  ManifestResponse got = c.get_manifest("team/app", "v1");
  EXPECT_EQ(got.bytes, oci);
  EXPECT_EQ(got.media_type, media_type::oci_manifest);
  EXPECT_EQ(got.digest, Sha256::of(oci));
  got = c.get_manifest("team/app", Sha256::of(docker).to_string());
  EXPECT_EQ(got.bytes, docker);
  EXPECT_EQ(got.media_type, media_type::docker_manifest);
  EXPECT_EQ(c.head_manifest("team/app", "docker"), Sha256::of(docker));
  EXPECT_EQ(c.head_manifest("team/app", "absent"), std::nullopt);
}

TEST_F(PlainRegistry, MountsBetweenRepositoriesOrDeclines) {
  auto c = client();
  const std::string blob = "mount me";
  const Digest digest = Sha256::of(blob);
  c.upload_blob("team/base", digest, source_of(blob));
  EXPECT_TRUE(c.mount_blob("team/app", digest, "team/base"));
  EXPECT_EQ(c.head_blob("team/app", digest), static_cast<std::int64_t>(blob.size()));
  // Unknown digest: Distribution answers 202 with a session, which the client cancels.
  EXPECT_FALSE(c.mount_blob("team/app", Sha256::of("never uploaded"), "team/base"));
}

TEST_F(PlainRegistry, ManifestWithUnknownBlobFailsWithRegistryCode) {
  auto c = client();
  const std::string manifest = manifest_json(media_type::oci_manifest, media_type::oci_config,
                                             media_type::oci_layer_gzip, "{}", "absent layer");
  try {
    c.put_manifest("team/app", "v1", std::string(media_type::oci_manifest), manifest);
    FAIL() << "manifest accepted";
  } catch (const RegistryError& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.status(), 400);
    EXPECT_NE(std::find(e.codes().begin(), e.codes().end(), "MANIFEST_BLOB_UNKNOWN"), e.codes().end());
    EXPECT_TRUE(message.starts_with(registry.host() + ": PUT manifest team/app:v1: 400 MANIFEST_BLOB_UNKNOWN"))
        << message;
    EXPECT_FALSE(e.is_temporary());
  }
}

TEST_F(PlainRegistry, MissingManifestAndWrongDigestAreErrors) {
  auto c = client();
  try {
    c.get_manifest("team/app", "nope");
    FAIL();
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(std::string(e.what()),
              registry.host() + ": GET manifest team/app:nope: 404 MANIFEST_UNKNOWN: manifest unknown");
  }
  // An upload whose bytes do not hash to the claimed digest is refused by the registry.
  try {
    c.upload_blob("team/app", Sha256::of("other"), source_of("data"));
    FAIL();
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.codes(), std::vector<std::string>{"DIGEST_INVALID"});
    EXPECT_TRUE(std::string(e.what()).starts_with(registry.host() + ": upload blob team/app@" +
                                                  Sha256::of("other").to_string() + ": 400 DIGEST_INVALID"))
        << e.what();
  }
}

// A registry on plain HTTP, approached with TLS, fails the handshake and says so.
TEST_F(PlainRegistry, HttpsClientAgainstPlainRegistryFailsClearly) {
  RegistryClient c(registry.host(), std::make_shared<AnonymousKeychain>(), RegistryOptions{.insecure = false, .ca_file = {}, .max_attempts = 1});
  try {
    c.ping();
    FAIL();
  } catch (const RegistryError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(message.starts_with(registry.host() + ": ping: GET https://" + registry.host() + "/v2/: TLS handshake"))
        << message;
    EXPECT_FALSE(e.is_temporary());
  }
}

}  // namespace kiln::oci
