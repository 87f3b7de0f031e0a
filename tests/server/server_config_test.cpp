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

namespace kiln::server {

TEST(ServerConfig, BoundsOnClientsHaveDefaultsAndAreChecked) {
  const Env token{{{"KILN_SERVER_TOKEN_SHA256", kHash}}};
  const ServerConfig defaults = load_server_config(token, {});
  EXPECT_EQ(defaults.max_context_bytes, std::int64_t{1} << 30);
  EXPECT_EQ(defaults.max_context_entries, 100000);
  EXPECT_TRUE(defaults.context_roots.empty()) << "by default only uploaded contexts";
  EXPECT_EQ(defaults.header_timeout_seconds, 10);
  EXPECT_EQ(defaults.body_timeout_seconds, 20);
  EXPECT_EQ(defaults.body_min_rate, 65536);
  EXPECT_EQ(defaults.max_connections_per_client, 16);

  TempDir dir("kiln-server-config");
  const auto file = dir.path() / "server.yaml";
  std::ofstream(file) << "token_sha256: [" << kHash << "]\ncontext_roots:\n  - /srv/checkouts\n  - /home/ci/work\n";
  EXPECT_EQ(load_server_config(Env{}, {"--config", file.string()}).context_roots,
            (std::vector<std::filesystem::path>{"/srv/checkouts", "/home/ci/work"}));
  EXPECT_EQ(error_of(token, {"--context_roots", "srv/checkouts"}), "context_roots: 'srv/checkouts' is not an absolute path");
  EXPECT_EQ(error_of(token, {"--header_timeout", "0"}), "header_timeout: must be between 1 and 3600 seconds");
  EXPECT_EQ(error_of(token, {"--max_connections_per_client", "0"}), "max_connections_per_client: must be between 1 and 1000");
}

}  // namespace kiln::server

namespace kiln::server {

TEST(ServerConfig, AMisspeltVariableIsRefusedWithItsName) {
  const Env typo{{{"KILN_SERVER_TOKEN_SHA256", kHash}, {"KILN_SERVER_CONCURENCY", "8"}}};
  EXPECT_EQ(error_of(typo, {}), "KILN_SERVER_CONCURENCY: no kiln-server key has this variable (kiln-server --help lists them)");
  // Every key's own variable, and KILN_SERVER_CONFIG, are known; other programs' variables are not looked at.
  const Env known{{{"KILN_SERVER_TOKEN_SHA256", kHash}, {"KILN_SERVER_KUBERNETES_NAMESPACE", "ci"},
                   {"KILN_SERVER_MAX_LOG_STREAMS", "20"}, {"KILN_SERVERLESS", "x"}, {"KILN_SERVER", "x"}}};
  const ServerConfig c = load_server_config(known, {});
  EXPECT_EQ(c.kubernetes.namespace_name, "ci");
  EXPECT_EQ(c.max_log_streams, 20);
}

TEST(ServerConfig, BuildTimeoutIsAGoDurationOfAtLeastOneSecond) {
  const Env token{{{"KILN_SERVER_TOKEN_SHA256", kHash}}};
  EXPECT_EQ(load_server_config(token, {}).build_timeout, std::chrono::hours(1));
  EXPECT_EQ(load_server_config(token, {"--build_timeout", "90m"}).build_timeout, std::chrono::minutes(90));
  EXPECT_EQ(load_server_config(token, {"--build_timeout", "1.5s"}).build_timeout, std::chrono::seconds(2));
  for (const char* bad : {"3600", "soon", "500ms", "-1h"})
    EXPECT_EQ(error_of(token, {"--build_timeout", bad}),
              "build_timeout: '" + std::string(bad) + "' is not a duration of at least 1s (a Go duration: 90s, 30m, 2h)");
  EXPECT_EQ(load_server_config(token, {}).max_log_streams, 1000);
  EXPECT_EQ(error_of(token, {"--max_log_streams", "0"}), "max_log_streams: must be between 1 and 100000");
}

TEST(ServerConfig, RetentionKeysHaveDefaultsZeroTurnsThemOffAndBadValuesAreRefused) {
  const Env token{{{"KILN_SERVER_TOKEN_SHA256", kHash}}};
  const ServerConfig defaults = load_server_config(token, {});
  EXPECT_EQ(defaults.retention_max_age, std::chrono::hours(720));
  EXPECT_EQ(defaults.retention_max_builds, 10000);
  EXPECT_EQ(defaults.retention_interval, std::chrono::minutes(10));
  const ServerConfig off = load_server_config(token, {"--retention_max_age", "0", "--retention_max_builds", "0"});
  EXPECT_EQ(off.retention_max_age, std::chrono::seconds(0));
  EXPECT_EQ(off.retention_max_builds, 0);
  const Env by_variable{{{"KILN_SERVER_TOKEN_SHA256", kHash}, {"KILN_SERVER_RETENTION_MAX_AGE", "36h"},
                         {"KILN_SERVER_RETENTION_INTERVAL", "30s"}}};
  EXPECT_EQ(load_server_config(by_variable, {}).retention_max_age, std::chrono::hours(36));
  EXPECT_EQ(load_server_config(by_variable, {}).retention_interval, std::chrono::seconds(30));
  EXPECT_EQ(error_of(token, {"--retention_max_age", "a month"}),
            "retention_max_age: 'a month' is not a duration of at least 1s (a Go duration: 90s, 30m, 2h)");
  EXPECT_EQ(error_of(token, {"--retention_max_builds", "-3"}), "retention_max_builds: '-3' is not a non-negative whole number");
  for (const char* key : {"retention_max_age", "retention_max_builds", "retention_interval"})
    EXPECT_NE(server_help_text().find(key), std::string::npos) << key;
}

}  // namespace kiln::server
