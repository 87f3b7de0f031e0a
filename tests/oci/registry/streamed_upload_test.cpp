// The streamed upload (PATCH with chunked encoding while the bytes are produced) against a
// real docker-registry, plain and behind TLS with Basic auth.
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "oci/credentials/layered_keychain.h"
#include "oci/registry/client.h"
#include "oci/sha256.h"
#include "tests/support/local_registry.h"

namespace kiln::oci {
namespace {

std::string random_bytes(std::size_t size) {
  std::mt19937_64 rng(42);
  std::string data(size, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  return data;
}

// Feeds `data` in uneven pieces, as a compressor would.
void feed(RegistryClient::StreamedUpload& upload, const std::string& data) {
  for (std::size_t off = 0, piece = 1; off < data.size(); off += piece, piece = piece * 3 % 1000003 + 1)
    upload.write(data.data() + off, std::min(piece, data.size() - off));
}

}  // namespace

TEST(StreamedUpload, DeliversEveryByteAndCommitsTheDigest) {
  testing::LocalRegistry registry;
  RegistryClient client(registry.host(), std::make_shared<AnonymousKeychain>(), RegistryOptions{.insecure = true});
  // More than the upload's queue bound, so the producer has to wait for the connection.
  const std::string data = random_bytes(20u << 20);
  const Digest digest = Sha256::of(data);
  auto upload = client.start_streamed_upload("team/app");
  feed(*upload, data);
  ASSERT_TRUE(upload->commit(digest));
  EXPECT_EQ(client.head_blob("team/app", digest), static_cast<std::int64_t>(data.size()));
  EXPECT_EQ(client.get_blob("team/app", digest, data.size()), data);
}

TEST(StreamedUpload, WrongDigestIsNotCommitted) {
  testing::LocalRegistry registry;
  RegistryClient client(registry.host(), std::make_shared<AnonymousKeychain>(), RegistryOptions{.insecure = true});
  const std::string data = random_bytes(100000);
  const Digest wrong = Sha256::of("something else");
  auto upload = client.start_streamed_upload("team/app");
  feed(*upload, data);
  EXPECT_FALSE(upload->commit(wrong)) << "the registry answers DIGEST_INVALID";
  EXPECT_FALSE(client.head_blob("team/app", wrong));
  EXPECT_FALSE(client.head_blob("team/app", Sha256::of(data)));
}

TEST(StreamedUpload, AbandonedUploadLeavesNoBlob) {
  testing::LocalRegistry registry;
  RegistryClient client(registry.host(), std::make_shared<AnonymousKeychain>(), RegistryOptions{.insecure = true});
  const std::string data = random_bytes(100000);
  {
    auto upload = client.start_streamed_upload("team/app");
    feed(*upload, data);
  }  // destroyed without commit: cancelled
  EXPECT_FALSE(client.head_blob("team/app", Sha256::of(data)));
}

TEST(StreamedUpload, CarriesTheCredentialOverTls) {
  testing::LocalRegistry registry(testing::RegistryMode::htpasswd_tls);
  auto keychain = std::make_shared<LayeredKeychain>(
      std::map<std::string, Credential>{{registry.host(), {.username = registry.username(), .password = registry.password()}}},
      nullptr);
  RegistryClient client(registry.host(), keychain, RegistryOptions{.ca_file = registry.ca_file().string()});
  const std::string data = random_bytes(3u << 20);
  auto upload = client.start_streamed_upload("team/app");
  feed(*upload, data);
  ASSERT_TRUE(upload->commit(Sha256::of(data)));
  EXPECT_EQ(client.get_blob("team/app", Sha256::of(data), data.size()), data);
}

}  // namespace kiln::oci
