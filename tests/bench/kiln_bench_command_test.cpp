// The real kiln-bench, end to end: --workload 1,1 (a 1 MiB binary of real machine code on a
// busybox base, in the embedded docker-registry it starts and stops), two runs of every
// backend present (native; buildah when installed; kaniko is absent here and must say so).
#include <gtest/gtest.h>

#include <fstream>
#include <pugixml.hpp>
#include <sstream>

#include "bench/workload.h"
#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/json.h"
#include "oci/layer/layer_writer.h"

namespace kiln::bench {
namespace {

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ProcessResult kiln_bench(const std::vector<std::string>& args) {
  std::vector<std::string> argv{KILN_BENCH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, {.input = {}, .extra_env = {}, .working_dir = {}, .timeout = std::chrono::minutes(5)});
}

const oci::Json* row(const oci::Json& doc, const std::string& name) {
  for (const auto& r : doc["rows"])
    if (r["name"] == name) return &r;
  return nullptr;
}

}  // namespace

TEST(KilnBenchCommand, MeasuresEveryPresentBackendAgainstTheFloorAndFailsABudget) {
  TempDir dir("kiln-bench-test");
  const auto json_file = dir.path() / "bench.json", junit_file = dir.path() / "bench.xml";
  const ProcessResult r = kiln_bench({"--workload", "1,1", "--runs", "2", "--json", json_file.string(), "--junit",
                                      junit_file.string(), "--budget", "native=1ms", "--budget", "floor/gzip=10m"});
  // native=1ms cannot hold: exit 1, and it is a JUnit failure.
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("kiln-bench: embedded docker-registry on 127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[1/"), std::string::npos) << "progress while running:\n" << r.err;
  for (const char* line : {"  floor/gzip ", "  native/gzip ", "  kaniko/gzip    not run: no executor at /kaniko/executor"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  EXPECT_NE(r.out.find("FAIL  native/gzip median"), std::string::npos) << r.out;

  // The new layer kiln-plugin uploads is the binary compressed: the same bytes, gzip level 1.
  const auto binary = dir.path() / "main";
  write_real_binary_bytes(binary, 1 << 20, 0);
  const auto layer = oci::write_layer({.entries = {{.type = oci::LayerEntry::Type::file, .path = "usr/local/app/main",
                                                    .mode = 0755, .source = binary, .content = {}, .link_target = {}}},
                                       .mtime = 0, .compression = {}},
                                      dir.path() / "layer");

  const oci::Json doc = oci::parse_json(read(json_file), json_file.string());
  EXPECT_EQ(doc["runs"], 2);
  const oci::Json* native = row(doc, "native/gzip");
  const oci::Json* floor = row(doc, "floor/gzip");
  ASSERT_TRUE(native && floor) << doc.dump(2);
  EXPECT_EQ((*native)["samples"].size(), 2u);
  EXPECT_EQ((*native)["bytes_uploaded"].get<std::int64_t>(), layer.size);
  EXPECT_GT((*native)["peak_rss_bytes"].get<std::int64_t>(), 1 << 20);
  EXPECT_GT((*native)["cpu_seconds"]["median"].get<double>(), 0.0);
  const double median = (*native)["wall_seconds"]["median"];
  EXPECT_GT(median, 0.0);
  EXPECT_LE((*native)["wall_seconds"]["min"].get<double>(), median);
  EXPECT_GE((*native)["wall_seconds"]["max"].get<double>(), median);
  EXPECT_GT((*native)["ratio_to_floor"].get<double>(), 0.0);
  EXPECT_GT((*floor)["wall_seconds"]["median"].get<double>(), 0.0);
  EXPECT_FALSE(row(doc, "kaniko/gzip")->contains("wall_seconds"));
  if (const oci::Json* buildah = row(doc, "buildah/gzip"); buildah && (*buildah)["absent_reason"].is_null()) {
    EXPECT_EQ((*buildah)["samples"].size(), 2u);
    EXPECT_GE((*buildah)["bytes_uploaded"].get<std::int64_t>(), static_cast<std::int64_t>(static_cast<double>(layer.size) * 0.9));
    EXPECT_GT((*buildah)["peak_rss_bytes"].get<std::int64_t>(), 0);
  }

  pugi::xml_document junit;
  ASSERT_TRUE(junit.load_file(junit_file.c_str())) << read(junit_file);
  const pugi::xml_node suite = junit.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("tests").value(), "2");
  EXPECT_STREQ(suite.attribute("failures").value(), "1");
  EXPECT_FALSE(suite.find_child_by_attribute("testcase", "name", "native/gzip median <= 1ms").child("failure").empty());
  EXPECT_TRUE(suite.find_child_by_attribute("testcase", "name", "floor/gzip median <= 10m").child("failure").empty());
  for (const char* xsd : {"junit-10.xsd", "JUnit-ant-strict.xsd"})
    EXPECT_EQ(run_process({"xmllint", "--noout", "--schema", std::string(KILN_JUNIT_SCHEMAS) + "/" + xsd,
                           junit_file.string()}).exit_code, 0) << xsd;
}

TEST(KilnBenchCommand, AWrongSettingIsExit2NamingIt) {
  const ProcessResult flag = kiln_bench({"--compression", "brotli"});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("--compression brotli: unknown value 'brotli'"), std::string::npos) << flag.err;
  // A build setting is judged by kiln-plugin's own table.
  const ProcessResult setting = kiln_bench({"--workload", "1,1", "--compression_levl", "3"});
  EXPECT_EQ(setting.exit_code, 2);
  EXPECT_NE(setting.err.find("unknown flag --compression_levl (did you mean --compression_level?)"), std::string::npos)
      << setting.err;
}

TEST(KilnBenchCommand, ARegistryThatDoesNotAnswerIsExit3NamingIt) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  const ProcessResult r = kiln_bench({"--runs", "1", "--backends", "native", "--repo", "127.0.0.1:1/kiln/app",
                                      "--base_image", "127.0.0.1:1/kiln/base:1", "--binary", "/bin/true", "--insecure"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("kiln-plugin (native backend, gzip run 1) exited 3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
}

}  // namespace kiln::bench
