#include "verify/check/image_env.h"

#include <gtest/gtest.h>

namespace kiln::verify {
namespace {

const oci::Json kImageEnvConfig = oci::Json::parse(R"({"architecture": "amd64", "config": {
  "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root", "APP=/usr/local/app", "EMPTY=", "BARE"],
  "WorkingDir": "/srv"}})");

// Go's os.Expand, except that "$$" is an escape for "$".
TEST(ExpandEnv, FollowsGoExpandWithDollarEscape) {
  const Environment env = image_environment(kImageEnvConfig);
  const struct {
    const char* in;
    const char* out;
  } rows[] = {
      {"$HOME", "/root"},
      {"${APP}/main", "/usr/local/app/main"},
      {"$APP/main", "/usr/local/app/main"},
      {"$UNSET/x", "/x"},
      {"a$1b", "ab"},  // one-character shell names, unset
      {"$@", ""},
      {"$$5", "$5"},       // CST gives "5"; kiln keeps the dollar
      {"cost: $", "cost: $"},  // trailing dollar stays
      {"$/", "$/"},        // a dollar before no name stays
      {"${}x", "x"},       // bad syntax is eaten, as in Go
      {"${HOME", "HOME"},  // unclosed: "${" eaten, as in Go
      {"${EMPTY}|$BARE|", "||"},
      {"sh -c 'echo $$HOME'", "sh -c 'echo $HOME'"},
  };
  for (const auto& row : rows) EXPECT_EQ(expand_env(row.in, env), row.out) << row.in;
}

TEST(ImageEnv, ReadsEnvAndWorkdir) {
  const Environment env = image_environment(kImageEnvConfig);
  EXPECT_EQ(env.get("HOME"), "/root");
  EXPECT_TRUE(env.has("BARE"));
  EXPECT_EQ(image_workdir(kImageEnvConfig), "/srv");
  EXPECT_EQ(image_workdir(oci::Json::parse(R"({"config": {}})")), "/");
  EXPECT_TRUE(image_environment(oci::Json::parse(R"({"config": {"Env": null}})")).vars().empty());
}

TEST(CommandEnvironment, GlobalThenTestVariablesOverTheImage) {
  const Environment env = command_environment(kImageEnvConfig, {{"APP", "/opt/app"}, {"G", "$HOME/g"}},
                                              {{"G", "${G}2"}, {"LANG", "C"}});
  EXPECT_EQ(env.vars(), (std::vector<std::pair<std::string, std::string>>{
                            {"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", "/root"}, {"APP", "/opt/app"},
                            {"EMPTY", ""}, {"BARE", ""}, {"G", "/root/g2"}, {"LANG", "C"}}));
  // An image without PATH gets the runtime default, as under Docker or containerd.
  EXPECT_EQ(command_environment(oci::Json::parse(R"({"config": {}})"), {}, {}).get("PATH"),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

}  // namespace
}  // namespace kiln::verify
