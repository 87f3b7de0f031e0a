// The configuration: file, KILN_SERVER_* variables and flags, in that order of precedence;
// unknown keys and bad values are refused with their name.
#include "server/config/server_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"

namespace kiln::server {
namespace {

const std::string kHash(64, 'a');

std::string error_of(const Env& env, const std::vector<std::string>& args) {
  try {
    load_server_config(env, args);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ServerConfig, FileThenEnvironmentThenFlags) {
  TempDir dir("kiln-server-config");
  const auto file = dir.path() / "server.yaml";
  std::ofstream(file) << "listen: 0.0.0.0:9000\nconcurrency: 3\ntoken_sha256:\n  - " << kHash
                      << "\nkubernetes:\n  namespace: builds\n  executor_image: kiln:1\n";
  const ServerConfig c = load_server_config(Env{{{"KILN_SERVER_CONCURRENCY", "5"}}}, {"--config", file.string(), "--data_dir=/srv/kiln"});
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.concurrency, 5);
  EXPECT_EQ(c.data_dir, "/srv/kiln");
  EXPECT_EQ(c.database, "/srv/kiln/kiln-server.db");
  EXPECT_EQ(c.token_sha256, std::vector<std::string>{kHash});
  EXPECT_EQ(c.kubernetes.namespace_name, "builds");
  EXPECT_EQ(c.kubernetes.executor_image, "kiln:1");
  EXPECT_EQ(load_server_config(Env{{{"KILN_SERVER_TOKEN_SHA256", kHash}}}, {"--concurrency", "7"}).concurrency, 7);
}

TEST(ServerConfig, RefusesWhatItDoesNotKnow) {
  TempDir dir("kiln-server-config");
  const auto file = dir.path() / "server.yaml";
  std::ofstream(file) << "kubernetes:\n  namespce: x\n";
  EXPECT_EQ(error_of(Env{}, {"--config", file.string()}), file.string() + ": unknown key 'kubernetes.namespce'");
  const Env token{{{"KILN_SERVER_TOKEN_SHA256", kHash}}};
  EXPECT_EQ(error_of(token, {"--concurency", "2"}), "unknown flag --concurency");
  EXPECT_EQ(error_of(token, {"--engine", "docker"}), "engine: 'docker' is not local or kubernetes");
  EXPECT_EQ(error_of(token, {"--concurrency", "two"}), "concurrency: 'two' is not a non-negative whole number");
  EXPECT_EQ(error_of(Env{{{"KILN_SERVER_TOKEN_SHA256", "secret-token"}}}, {}),
            "token_sha256: each entry must be 64 hex digits (the SHA-256 of a token, not the token)");
  EXPECT_EQ(error_of(Env{}, {}), "token_sha256: no API token configured (hash one with `kiln-server hash-token`)");
  EXPECT_EQ(error_of(token, {"--tls_cert", "/c.pem"}), "tls_cert and tls_key: set both or neither");
}

}  // namespace kiln::server

namespace kiln::server {

TEST(ServerConfig, KubernetesDeadline) {
  const Env token{{{"KILN_SERVER_TOKEN_SHA256", kHash}}};
  EXPECT_EQ(load_server_config(token, {}).kubernetes.deadline_seconds, 3600);
  EXPECT_EQ(load_server_config(token, {"--kubernetes.deadline", "600"}).kubernetes.deadline_seconds, 600);
  EXPECT_NE(error_of(token, {"--kubernetes.deadline=0"}).find("kubernetes.deadline"), std::string::npos);
}

}  // namespace kiln::server
