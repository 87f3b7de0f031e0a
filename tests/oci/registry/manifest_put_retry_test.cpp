// RegistryClient::put_manifest through the fault proxy, against Distribution's non-atomic blob
// links: a MANIFEST_BLOB_UNKNOWN answered while another push of the same blob rewrites its
// link (what the proxy plays here) is retried and the manifest lands; a blob that is really
// missing still fails, after the bounded number of attempts, with the registry's code.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "oci/credentials/credential.h"
#include "oci/json.h"
#include "oci/media_type.h"
#include "oci/registry/client.h"
#include "oci/registry/error.h"
#include "oci/sha256.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/local_registry.h"

namespace kiln::oci {
namespace {

using testing::FaultAction;
using testing::FaultRule;

// Distribution's answer when a manifest names a blob whose link it cannot read.
constexpr const char* kBlobUnknown =
    R"({"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:00"}]})";

class ManifestPutRetry : public ::testing::Test {
 protected:
  void SetUp() override {
    RegistryClient direct(registry_.host(), std::make_shared<AnonymousKeychain>(), RegistryOptions{.insecure = true});
    for (const std::string* blob : {&config_, &layer_})
      direct.upload_blob("team/app", Sha256::of(*blob),
                         BlobSource{.size = static_cast<std::int64_t>(blob->size()),
                                    .open = [blob] { return std::make_unique<std::istringstream>(*blob); }});
  }

  RegistryClient proxied() {
    return RegistryClient(proxy_.host(), std::make_shared<AnonymousKeychain>(),
                          RegistryOptions{.insecure = true, .initial_backoff = std::chrono::milliseconds(10)});
  }

  std::string manifest(const std::string& layer) const {
    const auto descriptor = [](std::string_view type, const std::string& blob) {
      return Json{{"mediaType", type}, {"digest", Sha256::of(blob).to_string()}, {"size", blob.size()}};
    };
    return dump_json(Json{{"schemaVersion", 2},
                          {"mediaType", media_type::oci_manifest},
                          {"config", descriptor(media_type::oci_config, config_)},
                          {"layers", Json::array({descriptor(media_type::oci_layer_gzip, layer)})}});
  }

  int manifest_puts() {
    const auto log = proxy_.settled_log(std::chrono::seconds(5));
    return static_cast<int>(std::count_if(log.begin(), log.end(), [](const testing::ProxiedRequest& r) {
      return r.method == "PUT" && r.path.find("/manifests/") != std::string::npos;
    }));
  }

  testing::LocalRegistry registry_;
  testing::FaultProxy proxy_{registry_.host()};
  std::string config_ = "{}";
  std::string layer_ = "the layer";
};

}  // namespace

TEST_F(ManifestPutRetry, ABlobUnknownWhileItsLinkIsRewrittenIsRetried) {
  proxy_.add(FaultRule{.method = "PUT", .path = ".*/manifests/.*", .action = FaultAction::status, .times = 2,
                       .status = 400, .body = kBlobUnknown});
  const std::string bytes = manifest(layer_);
  EXPECT_EQ(proxied().put_manifest("team/app", "v1", std::string(media_type::oci_manifest), bytes), Sha256::of(bytes));
  EXPECT_EQ(manifest_puts(), 3);
  RegistryClient direct(registry_.host(), std::make_shared<AnonymousKeychain>(), RegistryOptions{.insecure = true});
  EXPECT_EQ(direct.head_manifest("team/app", "v1"), Sha256::of(bytes));
}

TEST_F(ManifestPutRetry, AReallyMissingBlobFailsAfterTheBoundedAttempts) {
  try {
    proxied().put_manifest("team/app", "v1", std::string(media_type::oci_manifest), manifest("never uploaded"));
    FAIL() << "manifest accepted";
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_NE(std::find(e.codes().begin(), e.codes().end(), "MANIFEST_BLOB_UNKNOWN"), e.codes().end()) << e.what();
    EXPECT_NE(std::string(e.what()).find(Sha256::of("never uploaded").to_string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(manifest_puts(), 4) << "the registry client's default attempts";
}

// Other 400s are not retried: a manifest the registry finds invalid stays invalid.
TEST_F(ManifestPutRetry, AnInvalidManifestIsNotRetried) {
  EXPECT_THROW(proxied().put_manifest("team/app", "v1", std::string(media_type::oci_manifest), "{not json"),
               RegistryError);
  EXPECT_EQ(manifest_puts(), 1);
}

}  // namespace kiln::oci
