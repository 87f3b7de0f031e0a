// kiln-verify --driver local, the real executable, against layers made to exhaust whoever
// unpacks them, pushed to a real docker-registry: 4 GiB of zeros in a blob of some 130 KiB,
// and a layer of many entries. Each is refused on the entry's header with exit 3 and a
// message naming the layer and the limit; the JUnit report says the same; nothing takes long.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/registry/client.h"
#include "tests/support/files.h"
#include "tests/support/hostile_layers.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class HostileLayers : public ::testing::Test {
 protected:
  HostileLayers()
      : client_(registry_.host(), std::make_shared<oci::AnonymousKeychain>(), oci::RegistryOptions{.insecure = true}) {
    std::ofstream(work_.path() / "spec.yaml") << "schemaVersion: 2.0.0\n"
                                                 "fileExistenceTests:\n"
                                                 "  - name: the file is there\n"
                                                 "    path: /zeros\n";
  }

  struct Run {
    ProcessResult result;
    std::string junit;
    double seconds = 0;
  };
  Run verify(const std::string& image, const std::vector<std::string>& args = {}) {
    const fs::path junit = work_.path() / "junit.xml";
    std::vector<std::string> argv{KILN_VERIFY_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.extra_env = {{"PLUGIN_IMAGE", image},
                         {"PLUGIN_DRIVER", "local"},
                         {"PLUGIN_INSECURE", "true"},
                         {"PLUGIN_CONFIG", (work_.path() / "spec.yaml").string()},
                         {"PLUGIN_JUNIT", junit.string()}};
    options.timeout = std::chrono::seconds(120);
    const auto started = Clock::now();
    Run run{.result = run_process(argv, options)};
    run.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    run.junit = fs::exists(junit) ? read_file(junit) : "";
    return run;
  }

  LocalRegistry registry_;
  oci::RegistryClient client_;
  TempDir work_{"kiln-hostile-layers"};
};

TEST_F(HostileLayers, FourGibOfZerosAreRefusedByTheDefaultLimitBeforeAByteIsWritten) {
  const LayerBlob zeros = zero_file_layer("zeros", 4ull << 30);
  ASSERT_LT(zeros.blob.size(), 1u << 20);
  const PushedImage image = push_layers(client_, "hostile/zeros", "v1", {zeros});
  const Run run = verify(image.pinned);
  EXPECT_EQ(run.result.exit_code, 3) << run.result.err;
  const std::string blob_digest = image.manifest["layers"][0]["digest"].get<std::string>();
  const std::string message = "entry \"zeros\" declares 4294967296 bytes, which would take the unpacked image past the "
                              "limit of 2147483648 bytes; refusing to unpack the image";
  EXPECT_TRUE(contains(run.result.err, "layer 0 " + blob_digest)) << "names the layer:\n" << run.result.err;
  EXPECT_TRUE(contains(run.result.err, message)) << run.result.err;
  EXPECT_TRUE(contains(run.junit, message)) << run.junit;
  EXPECT_LT(run.seconds, 60) << "the zeros were unpacked";
  RecordProperty("seconds", std::to_string(run.seconds));
}

// The limit is a setting: lowered, a modest file is refused; raised, it unpacks and the spec
// runs against it.
TEST_F(HostileLayers, TheByteLimitIsTheUnpackMaxBytesSetting) {
  const PushedImage image = push_layers(client_, "hostile/modest", "v1", {zero_file_layer("zeros", 3u << 20)});
  const Run refused = verify(image.pinned, {"--unpack_max_bytes", "2Mi"});
  EXPECT_EQ(refused.result.exit_code, 3);
  EXPECT_TRUE(contains(refused.result.err, "declares 3145728 bytes, which would take the unpacked image past the limit "
                                           "of 2097152 bytes"))
      << refused.result.err;
  const Run allowed = verify(image.pinned, {"--unpack_max_bytes", "4Mi"});
  EXPECT_EQ(allowed.result.exit_code, 0) << allowed.result.out << allowed.result.err;

  const Run bad = verify(image.pinned, {"--unpack_max_bytes", "2GB"});
  EXPECT_EQ(bad.result.exit_code, 2);
  EXPECT_TRUE(contains(bad.result.err, "setting unpack_max_bytes: '2GB' is not a byte quantity such as 512Mi, 2Gi or "
                                       "1048576"))
      << bad.result.err;
}

// 300,000 entries under a limit of 10,000: stopped at the limit, quickly.
TEST_F(HostileLayers, ALayerOfManyEntriesStopsAtTheEntryLimit) {
  const LayerBlob many = many_files_layer(300'000);
  const PushedImage image = push_layers(client_, "hostile/many", "v1", {many});
  const Run run = verify(image.pinned, {"--unpack_max_entries", "10000"});
  EXPECT_EQ(run.result.exit_code, 3) << run.result.err;
  EXPECT_TRUE(contains(run.result.err, "entry \"d9/f9990\" is past the limit of 10000 entries; refusing to unpack the "
                                       "image"))
      << run.result.err;
  EXPECT_TRUE(contains(run.result.err, image.manifest["layers"][0]["digest"].get<std::string>())) << run.result.err;
  EXPECT_LT(run.seconds, 60);
  RecordProperty("seconds", std::to_string(run.seconds));
}

}  // namespace
}  // namespace kiln::testing
