#include "verify/driver/static/static_driver.h"

#include <gtest/gtest.h>

#include <random>

#include "core/error.h"

#include "oci/credentials/credential.h"
#include "tests/support/local_registry.h"
#include "tests/verify/driver/test_image.h"
#include "tests/verify/driver/test_layers.h"

namespace kiln::verify {
namespace {

using namespace kiln::verify::testing;
using inspect::FactRequest;
using inspect::PathQuery;

std::string random_bytes(std::size_t size) {
  std::mt19937_64 rng(42);
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

// Bottom first: a glibc base laid out as Debian's merged /usr, an incompressible payload
// layer, and the application on top.
class StaticDriverTest : public ::testing::Test {
 protected:
  StaticDriverTest()
      : client_(registry_.host(), std::make_shared<oci::AnonymousKeychain>(), oci::RegistryOptions{.insecure = true}) {
    base_ = write_tar({symlink("lib", "usr/lib"), symlink("lib64", "usr/lib64"), dir("usr"), dir("usr/lib"),
                       dir("usr/lib/x86_64-linux-gnu"), dir("usr/lib64"),
                       file("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                            host_file("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"), 0755),
                       symlink("usr/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
                       file("usr/lib/x86_64-linux-gnu/libc.so.6", host_file("/lib/x86_64-linux-gnu/libc.so.6"), 0755),
                       dir("bin"), file("bin/busybox", host_file("/bin/busybox"), 0755)});
    payload_ = write_tar({dir("opt"), file("opt/payload", random_bytes(8 << 20))});
  }
  std::string app_layer(const std::string& main) {
    return write_tar({dir("usr"), dir("usr/local"), dir("usr/local/app"), file("usr/local/app/main", main, 0755)});
  }

  kiln::testing::LocalRegistry registry_;
  oci::RegistryClient client_;
  std::string base_, payload_;
  StaticDriver driver_;
};

const FactRequest kMainRequest{
    .paths = {PathQuery{.path = "/usr/local/app/main", .contents = false, .sha256 = true, .elf = true}},
    .commands = {{.id = "version", .argv = {"/usr/local/app/main", "--version"}, .env = {}, .workdir = {},
                  .timeout_seconds = 10}}};

TEST_F(StaticDriverTest, AStaticBinaryInTheTopLayerCostsOnlyThatLayer) {
  const std::string main = host_file("/bin/busybox");
  const std::string app = app_layer(main);
  const ImageUnderTest image = push_test_image(client_, "static/app", "v1", {base_, payload_, app});
  const inspect::Facts facts = driver_.collect(image, kMainRequest);

  ASSERT_EQ(facts.paths.size(), 1u);
  const inspect::PathFacts& path = facts.paths[0];
  EXPECT_TRUE(path.exists);
  EXPECT_EQ(path.stat.mode, 0755u);
  EXPECT_EQ(path.sha256, oci::Sha256::of(main).hex());
  ASSERT_TRUE(path.elf) << path.error;
  EXPECT_EQ(path.elf->architecture, "amd64");
  EXPECT_FALSE(path.elf->dynamic);
  ASSERT_EQ(facts.commands.size(), 1u);
  EXPECT_FALSE(facts.commands[0].ran);
  EXPECT_EQ(facts.commands[0].error,
            "the static driver reads the image's layers and cannot run commands; use --driver local or kubernetes");

  ASSERT_EQ(driver_.last_reads().size(), 1u) << "base and payload layers are not needed";
  EXPECT_EQ(driver_.last_reads()[0].digest, oci::Sha256::of(app));
  EXPECT_EQ(driver_.last_reads()[0].bytes, app.size()) << "bytes as downloaded from the registry";
}

TEST_F(StaticDriverTest, ADynamicBinaryReadsEachLayerOnceForItsLibraries) {
  const std::string app = app_layer(host_file("/bin/true"));
  const ImageUnderTest image = push_test_image(client_, "static/dynamic", "v1", {base_, payload_, app});
  const inspect::Facts facts = driver_.collect(image, kMainRequest);

  ASSERT_TRUE(facts.paths[0].elf) << facts.paths[0].error;
  const inspect::ElfFacts& elf = *facts.paths[0].elf;
  EXPECT_TRUE(elf.dynamic);
  EXPECT_EQ(elf.interpreter, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_TRUE(elf.interpreter_found) << "through /lib64 -> usr/lib64 and a relative link";
  ASSERT_EQ(elf.libraries.size(), 1u);
  EXPECT_EQ(elf.libraries[0].name, "libc.so.6");
  EXPECT_FALSE(elf.libraries[0].resolved.empty());

  const std::vector<LayerRead> expected{{.digest = oci::Sha256::of(app), .bytes = app.size(), .again = false},
                                        {.digest = oci::Sha256::of(payload_), .bytes = payload_.size(), .again = false},
                                        {.digest = oci::Sha256::of(base_), .bytes = base_.size(), .again = false}};
  EXPECT_EQ(driver_.last_reads(), expected) << "top first, each once, no re-read";
}

TEST_F(StaticDriverTest, AMissingLibraryIsReportedUnresolved) {
  const std::string base_without_libc =
      write_tar({symlink("lib64", "usr/lib64"), dir("usr"), dir("usr/lib64"),
                 file("usr/lib64/ld-linux-x86-64.so.2", host_file("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"), 0755)});
  const ImageUnderTest image =
      push_test_image(client_, "static/nolibc", "v1", {base_without_libc, app_layer(host_file("/bin/true"))});
  const inspect::Facts facts = driver_.collect(image, kMainRequest);
  ASSERT_TRUE(facts.paths[0].elf);
  EXPECT_TRUE(facts.paths[0].elf->interpreter_found);
  ASSERT_EQ(facts.paths[0].elf->libraries.size(), 1u);
  EXPECT_EQ(facts.paths[0].elf->libraries[0].resolved, "");
}

TEST_F(StaticDriverTest, AFileDeletedByTheTopLayerNeedsOnlyThatLayer) {
  const std::string top = write_tar({dir("opt"), whiteout("opt", "payload"), file("opt/new", "new contents")});
  const ImageUnderTest image = push_test_image(client_, "static/deleted", "v1", {base_, payload_, top});
  const FactRequest request{.paths = {PathQuery{.path = "/opt/payload", .contents = true, .sha256 = false, .elf = false},
                                      PathQuery{.path = "/opt/new", .contents = true, .sha256 = true, .elf = false}}};
  const inspect::Facts facts = driver_.collect(image, request);
  EXPECT_FALSE(facts.paths[0].exists);
  EXPECT_EQ(facts.paths[1].contents, "new contents");
  EXPECT_EQ(driver_.last_reads().size(), 1u);
}

TEST_F(StaticDriverTest, AnOpaqueDirectoryHidesLowerContents) {
  const std::string top = write_tar({dir("opt"), opaque("opt"), file("opt/only", "x")});
  const ImageUnderTest image = push_test_image(client_, "static/opaque", "v1", {base_, payload_, top});
  const FactRequest request{.paths = {PathQuery{.path = "/opt/payload"}, PathQuery{.path = "/opt/only"},
                                      PathQuery{.path = "/bin/busybox"}}};
  const inspect::Facts facts = driver_.collect(image, request);
  EXPECT_FALSE(facts.paths[0].exists);
  EXPECT_TRUE(facts.paths[1].exists);
  EXPECT_TRUE(facts.paths[2].exists);
  ASSERT_EQ(driver_.last_reads().size(), 3u) << "/bin/busybox is only in the base";
  
}

TEST_F(StaticDriverTest, ALayerThatIsNoTarStopsItsDownloadAndLeavesTheClientUsable) {
  // 8 MiB that libarchive rejects at once: the rest of the download is cancelled, not awaited.
  const ImageUnderTest broken = push_test_image(client_, "static/broken", "v1", {base_, random_bytes(8 << 20)});
  try {
    driver_.collect(broken, kMainRequest);
    FAIL() << "read a layer that is no tar";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_NE(std::string(e.what()).find("layer 1 sha256:"), std::string::npos) << e.what();
  }
  const ImageUnderTest good = push_test_image(client_, "static/app", "v1", {base_, app_layer(host_file("/bin/busybox"))});
  EXPECT_TRUE(driver_.collect(good, kMainRequest).paths[0].exists);
}

}  // namespace
}  // namespace kiln::verify
