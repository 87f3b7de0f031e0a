// containerRunOptions values as Docker and CST read them.
#include "verify/spec/run_options.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::verify {
namespace {

TEST(Capabilities, DockerSpellingsAndAll) {
  EXPECT_EQ(capability_names("sys_admin"), (std::vector<std::string>{"CAP_SYS_ADMIN"}));
  EXPECT_EQ(capability_names("CAP_NET_RAW"), (std::vector<std::string>{"CAP_NET_RAW"}));
  EXPECT_EQ(capability_names("Net_Bind_Service"), (std::vector<std::string>{"CAP_NET_BIND_SERVICE"}));
  EXPECT_EQ(capability_names("all")->size(), 41u);
  EXPECT_FALSE(capability_names("sys_admn"));
  EXPECT_FALSE(capability_names(""));
}

TEST(BindMounts, DockersHostContainerOptions) {
  std::string why;
  EXPECT_EQ(parse_bind_mount("/tmp/test:/tmp/test", why), (BindMount{.host = "/tmp/test", .container = "/tmp/test"}));
  EXPECT_EQ(parse_bind_mount("/a:/b:ro", why), (BindMount{.host = "/a", .container = "/b", .read_only = true}));
  EXPECT_EQ(parse_bind_mount("/a:/b:rw", why), (BindMount{.host = "/a", .container = "/b"}));
  EXPECT_FALSE(parse_bind_mount("/a", why));
  EXPECT_EQ(why, "expected host:container or host:container:ro");
  EXPECT_FALSE(parse_bind_mount("/a:b", why));
  EXPECT_EQ(why, "the container path must be absolute");
  EXPECT_FALSE(parse_bind_mount("/a:/b:ro:x", why));
}

// CST reads envFile with godotenv and drops pairs whose key or value is empty.
TEST(EnvFile, ReadsWhatGodotenvReads) {
  const auto vars = parse_env_file("# comment\nFOO=keepitsecret!\nexport BAR = 'keep it $safe'\n"
                                   "QUOTED=\"a\\nb \\\"c\\\"\"\nEMPTY=\nCOLON: yes\nTRAILING=x # note\n\n",
                                   "tests/envfile");
  EXPECT_EQ(vars, (std::vector<std::pair<std::string, std::string>>{{"FOO", "keepitsecret!"},
                                                                    {"BAR", "keep it $safe"},
                                                                    {"QUOTED", "a\nb \"c\""},
                                                                    {"COLON", "yes"},
                                                                    {"TRAILING", "x"}}));
  try {
    parse_env_file("GOOD=1\nthis is not a variable\n", "tests/envfile");
    ADD_FAILURE() << "parsed";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_STREQ(e.what(), "tests/envfile:2: expected KEY=VALUE");
  }
}

}  // namespace
}  // namespace kiln::verify
