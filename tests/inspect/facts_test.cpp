#include "inspect/facts.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::inspect {
namespace {

TEST(FactsJson, RequestSurvivesTheTripThroughJson) {
  const FactRequest request{
      .paths = {{.path = "/usr/local/app/main", .sha256 = true, .elf = true}, {.path = "/etc/os-release", .contents = true},
                {.path = "/usr/share/doc", .list = true}},
      .commands = {{.id = "version", .argv = {"/usr/local/app/main", "--version"}, .env = {{"PATH", "/bin"}},
                    .workdir = "/usr/local/app", .timeout_seconds = 2.5}},
      .max_content_bytes = 100};
  EXPECT_EQ(fact_request_from_json(nlohmann::json::parse(to_json(request).dump())), request);
}

TEST(FactsJson, FactsWithBinaryContentsAndOutputSurviveTheTrip) {
  Facts facts;
  facts.paths.push_back({.path = "/bin/x",
                         .exists = true,
                         .stat = {.type = FileStat::Type::symlink, .mode = 0777, .size = 7, .link_target = "busybox"},
                         .contents = std::string("\x7f" "ELF\0\xff\xfe", 7),
                         .sha256 = std::string(64, 'a'),
                         .elf = ElfFacts{.bits = 64, .machine = 62, .architecture = "amd64", .dynamic = true,
                                         .interpreter = "/lib64/ld-linux-x86-64.so.2",
                                         .libraries = {{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"}, {"libm.so.6", ""}}}});
  facts.paths.push_back({.path = "/missing", .error = "no such file"});
  facts.paths.push_back({.path = "/usr/share/doc", .exists = true, .subdirectories = std::vector<std::string>{"dash", "zlib1g"}});
  facts.commands.push_back({.id = "c", .ran = true, .exit_code = -9, .timed_out = true, .out_of_memory = true,
                            .stdout_text = std::string("a\0b\xff", 4), .stderr_text = "e", .seconds = 0.25});
  EXPECT_EQ(facts_from_json(nlohmann::json::parse(to_json(facts).dump())), facts);
}

// A probe from before out_of_memory existed (an older verify image in a cluster) still answers.
TEST(FactsJson, FactsWithoutOutOfMemoryMeanNoneWasSeen) {
  const auto doc = nlohmann::json::parse(
      R"({"paths":[],"commands":[{"id":"c","ran":true,"exit_code":-9,"timed_out":false,"stdout_base64":"",)"
      R"("stderr_base64":"","output_truncated":false,"seconds":1,"error":""}]})");
  const Facts facts = facts_from_json(doc);
  ASSERT_EQ(facts.commands.size(), 1u);
  EXPECT_FALSE(facts.commands[0].out_of_memory);
  EXPECT_EQ(facts.commands[0].exit_code, -9);
}

TEST(FactsJson, ARequestWithoutArgvIsTheCallersFault) {
  const auto doc = nlohmann::json::parse(R"({"commands":[{"id":"x","argv":[]}]})");
  try {
    fact_request_from_json(doc);
    FAIL() << "accepted an empty argv";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_NE(std::string(e.what()).find("\"x\""), std::string::npos);
  }
}

TEST(FactsJson, FactsMissingAFieldNameIt) {
  const auto doc = nlohmann::json::parse(R"({"paths":[{"path":"/a"}],"commands":[]})");
  try {
    facts_from_json(doc);
    FAIL() << "accepted facts without \"exists\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_NE(std::string(e.what()).find("\"exists\""), std::string::npos);
  }
}

}  // namespace
}  // namespace kiln::inspect
