// RegistryClient against a registry (a real one behind the fault proxy) that sends more, fewer
// or other bytes than a blob's descriptor declares, or sends them at a trickle: an endless
// body is cut at the declared size with nothing past it written, a body that declares more is
// refused from its Content-Length, a short one fails, and none of these is retried. A request
// whose headers or body trickle in fails at registry_timeout (plus the blob rate allowance),
// once; a slow but steady blob above the rate floor still arrives whole.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <sstream>

#include "oci/credentials/credential.h"
#include "oci/registry/client.h"
#include "oci/registry/error.h"
#include "oci/sha256.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/local_registry.h"

namespace kiln::oci {
namespace {

using testing::FaultAction;
using testing::FaultRule;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kHostileBlobPath = "/v2/team/blob/blobs/sha256:[0-9a-f]+";

std::string hostile_random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(random());
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class HostileBlob : public ::testing::Test {
 protected:
  void SetUp() override {
    blob_ = hostile_random_bytes(256 * 1024, 5);
    digest_ = Sha256::of(blob_);
    RegistryClient direct(registry_.host(), std::make_shared<AnonymousKeychain>(), RegistryOptions{.insecure = true});
    direct.upload_blob("team/blob", digest_,
                       BlobSource{.size = static_cast<std::int64_t>(blob_.size()),
                                  .open = [this] { return std::make_unique<std::istringstream>(blob_); }});
  }

  RegistryClient proxied(RegistryOptions options = {}) {
    options.insecure = true;
    options.initial_backoff = 10ms;
    return RegistryClient(proxy_.host(), std::make_shared<AnonymousKeychain>(), options);
  }

  std::vector<testing::ProxiedRequest> blob_gets() {
    std::vector<testing::ProxiedRequest> out;
    for (const auto& r : proxy_.settled_log())
      if (r.method == "GET" && r.path == "/v2/team/blob/blobs/" + digest_.to_string()) out.push_back(r);
    return out;
  }

  // get_blob_to's failure, with how long it took and what reached the output.
  struct Failure {
    std::string message;
    bool temporary = true;
    std::chrono::milliseconds took{};
    std::string written;
  };
  Failure fail_to_get(RegistryClient& client, std::int64_t declared) {
    std::ostringstream out;
    Failure failure;
    const auto start = Clock::now();
    try {
      client.get_blob_to("team/blob", digest_, declared, out);
      ADD_FAILURE() << "the blob was accepted";
    } catch (const RegistryError& e) {
      failure.message = e.what();
      failure.temporary = e.is_temporary();
    }
    failure.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    failure.written = out.str();
    return failure;
  }

  testing::LocalRegistry registry_;
  testing::FaultProxy proxy_{registry_.host()};
  std::string blob_;
  Digest digest_ = Sha256::of("");
};

}  // namespace

// The "1000-byte layer" that never ends: the first block over the declared size stops the
// read, nothing reaches the output (the first block is already over), the message names
// registry, blob and size, and there is one GET: a blob too long is not a blip.
TEST_F(HostileBlob, AnEndlessBodyIsCutAtTheDeclaredSizeAndNotRetried) {
  proxy_.add({.method = "GET", .path = kHostileBlobPath, .action = FaultAction::endless_body, .times = FaultRule::kAlways});
  RegistryClient client = proxied();
  const Failure f = fail_to_get(client, 1000);
  EXPECT_TRUE(contains(f.message, proxy_.host() + ": GET blob team/blob@" + digest_.to_string())) << f.message;
  EXPECT_TRUE(contains(f.message, "more than the 1000 its descriptor declares")) << f.message;
  EXPECT_FALSE(f.temporary);
  EXPECT_LE(f.written.size(), 1000u);
  EXPECT_LT(f.took, 10s);
  const auto gets = blob_gets();
  ASSERT_EQ(gets.size(), 1u) << "retried";
  // What the proxy managed to push into the connection before kiln hung up: socket buffers,
  // not gigabytes.
  EXPECT_LT(gets[0].bytes_sent, std::int64_t{64} << 20);
}

// A body that says in its Content-Length that it is longer than the descriptor is refused
// before it is read; one byte longer is enough.
TEST_F(HostileBlob, ABodyDeclaredLongerThanTheDescriptorIsRefusedFromItsHeaders) {
  proxy_.add({.method = "GET", .path = kHostileBlobPath, .action = FaultAction::serve_body, .times = FaultRule::kAlways,
              .body = blob_ + "!", .content_type = "application/octet-stream"});
  RegistryClient client = proxied();
  const Failure f = fail_to_get(client, static_cast<std::int64_t>(blob_.size()));
  EXPECT_TRUE(contains(f.message, fmt::format("at least {} bytes, more than the {}", blob_.size() + 1, blob_.size())))
      << f.message;
  EXPECT_TRUE(f.written.empty());
  EXPECT_FALSE(f.temporary);
  EXPECT_EQ(blob_gets().size(), 1u);
}

// The true blob, with a descriptor that declares one byte less (the manifest lies the other
// way): the last byte is over, and the output holds at most the declared size.
TEST_F(HostileBlob, TheTrueBlobUnderADescriptorOneByteShortIsRefused) {
  RegistryClient client = proxied();
  const Failure f = fail_to_get(client, static_cast<std::int64_t>(blob_.size()) - 1);
  EXPECT_TRUE(contains(f.message, "more than the " + std::to_string(blob_.size() - 1))) << f.message;
  EXPECT_LE(f.written.size(), blob_.size() - 1);
  EXPECT_EQ(blob_gets().size(), 1u);
}

// Half the blob, complete by its own Content-Length: fewer bytes than declared, final.
TEST_F(HostileBlob, AShortBodyFailsAndIsNotRetried) {
  proxy_.add({.method = "GET", .path = kHostileBlobPath, .action = FaultAction::serve_body, .times = FaultRule::kAlways,
              .body = blob_.substr(0, blob_.size() / 2), .content_type = "application/octet-stream"});
  RegistryClient client = proxied();
  const Failure f = fail_to_get(client, static_cast<std::int64_t>(blob_.size()));
  EXPECT_TRUE(contains(f.message, fmt::format("sent {} bytes, fewer than the {}", blob_.size() / 2, blob_.size())))
      << f.message;
  EXPECT_FALSE(f.temporary);
  EXPECT_EQ(blob_gets().size(), 1u);
}

// A body at one byte every 100 ms with registry_timeout 1 s: the rate allowance buys nothing
// (10 bytes/s against 16 KiB/s), so the read ends after about a second, once.
TEST_F(HostileBlob, ATrickledBodyFailsAtTheDeadlineOnce) {
  proxy_.add({.method = "GET", .path = kHostileBlobPath, .action = FaultAction::trickle_body, .times = FaultRule::kAlways,
              .trickle_bytes = 1, .interval = 100ms});
  RegistryClient client = proxied({.timeout = 1s});
  const Failure f = fail_to_get(client, static_cast<std::int64_t>(blob_.size()));
  EXPECT_TRUE(contains(f.message, proxy_.host() + ": GET blob team/blob@")) << f.message;
  EXPECT_TRUE(contains(f.message, "timed out: the registry_timeout of 1s")) << f.message;
  EXPECT_FALSE(f.temporary);
  EXPECT_GE(f.took, 900ms);
  EXPECT_LT(f.took, 5s);
  EXPECT_EQ(blob_gets().size(), 1u);
}

// Headers at one byte every 100 ms never end: the same deadline, though no body byte came
// and Poco reads the headers where no caller can look at a clock.
TEST_F(HostileBlob, TrickledHeadersFailAtTheDeadlineOnce) {
  proxy_.add({.method = "GET", .path = kHostileBlobPath, .action = FaultAction::trickle_headers, .times = FaultRule::kAlways,
              .trickle_bytes = 1, .interval = 100ms});
  RegistryClient client = proxied({.timeout = 1s});
  const Failure f = fail_to_get(client, static_cast<std::int64_t>(blob_.size()));
  EXPECT_TRUE(contains(f.message, "timed out: the registry_timeout of 1s")) << f.message;
  EXPECT_GE(f.took, 900ms);
  EXPECT_LT(f.took, 5s);
  EXPECT_EQ(blob_gets().size(), 1u);
}

// 256 KiB at 128 KiB/s takes two seconds, twice registry_timeout, and arrives: above the
// 16 KiB/s floor every byte buys more time than it took. The same pace under a floor of
// 1 MiB/s fails: the floor, not luck, is what let it through.
TEST_F(HostileBlob, ASlowButSteadyBlobAboveTheRateFloorArrives) {
  proxy_.add({.method = "GET", .path = kHostileBlobPath, .action = FaultAction::trickle_body, .times = FaultRule::kAlways,
              .trickle_bytes = 32 * 1024, .interval = 250ms});
  {
    RegistryClient client = proxied({.timeout = 1s});
    std::ostringstream out;
    const auto start = Clock::now();
    EXPECT_EQ(client.get_blob_to("team/blob", digest_, static_cast<std::int64_t>(blob_.size()), out),
              static_cast<std::int64_t>(blob_.size()));
    EXPECT_EQ(out.str(), blob_);
    EXPECT_GT(Clock::now() - start, 1500ms) << "the trickle did not slow the blob down";
  }
  RegistryClient strict = proxied({.timeout = 1s, .min_blob_rate = 1 << 20});
  const Failure f = fail_to_get(strict, static_cast<std::int64_t>(blob_.size()));
  EXPECT_TRUE(contains(f.message, "timed out")) << f.message;
}

}  // namespace kiln::oci
