// RegistryClient::get_blob_to through the fault proxy: a download reset mid-body resumes with
// Range from the byte it reached, into an output that cannot rewind, and the digest still
// covers every byte; a server that ignores Range sends the whole blob again and the bytes
// already written are skipped.
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <streambuf>

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

// An output that only appends, like the pipe into kiln-verify's tar reader: tellp() and
// seekp() fail, so nothing can be written twice.
class AppendOnly : public std::streambuf {
 public:
  std::string data;

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    data.append(s, static_cast<std::size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) data.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
};

class BlobResume : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 random(11);
    blob_.resize(3u << 20);
    for (char& c : blob_) c = static_cast<char>(random());
    digest_ = Sha256::of(blob_);
    direct().upload_blob("team/big", digest_,
                         BlobSource{.size = static_cast<std::int64_t>(blob_.size()),
                                    .open = [this] { return std::make_unique<std::istringstream>(blob_); }});
  }
  RegistryClient direct() {
    return RegistryClient(registry_.host(), std::make_shared<AnonymousKeychain>(), RegistryOptions{.insecure = true});
  }
  RegistryClient proxied() {
    return RegistryClient(proxy_.host(), std::make_shared<AnonymousKeychain>(),
                          RegistryOptions{.insecure = true, .initial_backoff = std::chrono::milliseconds(10)});
  }
  std::vector<testing::ProxiedRequest> blob_gets() {
    std::vector<testing::ProxiedRequest> out;
    for (const auto& r : proxy_.settled_log())
      if (r.method == "GET" && r.path == "/v2/team/big/blobs/" + digest_.to_string()) out.push_back(r);
    return out;
  }

  testing::LocalRegistry registry_;
  testing::FaultProxy proxy_{registry_.host()};
  std::string blob_;
  Digest digest_ = Sha256::of("");
};

const char* kBlobPath = "/v2/team/big/blobs/sha256:[0-9a-f]+";

}  // namespace

TEST_F(BlobResume, AResetDownloadResumesWithRangeIntoAnOutputThatCannotRewind) {
  proxy_.add({.method = "GET", .path = kBlobPath, .action = FaultAction::reset_response_body});
  AppendOnly sink;
  std::ostream out(&sink);
  ASSERT_EQ(out.tellp(), std::streampos(-1)) << "the sink must not be seekable for this test to mean anything";
  auto client = proxied();
  EXPECT_EQ(client.get_blob_to("team/big", digest_, static_cast<std::int64_t>(blob_.size()), out), static_cast<std::int64_t>(blob_.size()));
  EXPECT_TRUE(sink.data == blob_) << "got " << sink.data.size() << " bytes";
  const auto gets = blob_gets();
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_TRUE(gets[0].range.empty());
  EXPECT_EQ(gets[0].status, 0);
  // The proxy passed half the body before the reset; the client may have taken less of it.
  ASSERT_TRUE(gets[1].range.starts_with("bytes=")) << gets[1].range;
  const long long from = std::stoll(gets[1].range.substr(6));
  EXPECT_GT(from, 0);
  EXPECT_LE(from, static_cast<long long>(blob_.size() / 2));
  EXPECT_EQ(gets[1].status, 206);
}

TEST_F(BlobResume, AServerThatIgnoresRangeSendsItAllAndTheHeldBytesAreSkipped) {
  proxy_.add({.method = "GET", .path = kBlobPath, .action = FaultAction::reset_response_body});
  proxy_.add({.method = "GET", .path = kBlobPath, .action = FaultAction::ignore_range, .nth = 2});
  AppendOnly sink;
  std::ostream out(&sink);
  auto client = proxied();
  EXPECT_EQ(client.get_blob_to("team/big", digest_, static_cast<std::int64_t>(blob_.size()), out), static_cast<std::int64_t>(blob_.size()));
  EXPECT_TRUE(sink.data == blob_) << "got " << sink.data.size() << " bytes";
  const auto gets = blob_gets();
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_FALSE(gets[1].range.empty()) << "the client asked for the rest";
  EXPECT_EQ(gets[1].status, 200) << "and got everything";
}

TEST_F(BlobResume, ResetsOnEveryAttemptFailAfterTheAttemptsAsANetworkFailure) {
  proxy_.add({.method = "GET", .path = kBlobPath, .action = FaultAction::reset_response_body,
              .times = FaultRule::kAlways});
  AppendOnly sink;
  std::ostream out(&sink);
  auto client = proxied();
  try {
    client.get_blob_to("team/big", digest_, static_cast<std::int64_t>(blob_.size()), out);
    FAIL() << "a download reset every time cannot succeed";
  } catch (const RegistryError& e) {
    EXPECT_TRUE(e.network_failure()) << e.what();
    EXPECT_NE(std::string(e.what()).find(proxy_.host() + ": GET blob team/big@" + digest_.to_string()),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(blob_gets().size(), 4u);
  // Each attempt got further, and nothing was written twice.
  EXPECT_GT(sink.data.size(), blob_.size() / 2);
  EXPECT_LT(sink.data.size(), blob_.size());
  EXPECT_EQ(sink.data, blob_.substr(0, sink.data.size()));
}

}  // namespace kiln::oci
