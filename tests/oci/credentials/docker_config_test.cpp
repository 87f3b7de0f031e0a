#include "oci/credentials/docker_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/log.h"
#include "core/temp_dir.h"

namespace kiln::oci {
namespace {

Credential user_pass(std::string user, std::string pass) {
  Credential c;
  c.username = std::move(user);
  c.password = std::move(pass);
  return c;
}

// A credential helper speaking the docker-credential protocol: the server URL on stdin,
// JSON on stdout, exit 1 for "no credentials".
void write_helper(const std::filesystem::path& dir, const std::string& name, const std::string& body) {
  const auto path = dir / ("docker-credential-" + name);
  std::ofstream(path) << "#!/bin/sh\n" << body;
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

}  // namespace

TEST(NormaliseRegistryKey, Table) {
  const std::pair<const char*, const char*> rows[] = {
      {"https://index.docker.io/v1/", "docker.io"},
      {"index.docker.io", "docker.io"},
      {"registry-1.docker.io", "docker.io"},
      {"docker.io", "docker.io"},
      {"https://r.example:5000/v2/", "r.example:5000"},
      {"http://127.0.0.1:5000", "127.0.0.1:5000"},
      {"GHCR.io", "ghcr.io"},
      {"ghcr.io/team/app", "ghcr.io"},
  };
  for (const auto& [key, want] : rows) EXPECT_EQ(normalise_registry_key(key), want) << key;
}

TEST(DockerConfigKeychain, ReadsAuthsEntries) {
  // "dXNlcjpwYTpzcw==" is base64("user:pa:ss"): only the first ':' separates.
  const Json config = Json::parse(R"({
    "auths": {
      "https://index.docker.io/v1/": {"auth": "dXNlcjpwYTpzcw=="},
      "r.example:5000": {"username": "alice", "password": "s3cret-pw"},
      "https://id.example/": {"identitytoken": "refresh-tok-1"},
      "tok.example": {"registrytoken": "bearer-tok-1"},
      "empty.example": {}
    }})");
  DockerConfigKeychain keychain(config, "config.json");
  EXPECT_EQ(keychain.resolve("docker.io"), user_pass("user", "pa:ss"));
  EXPECT_EQ(keychain.resolve("index.docker.io"), user_pass("user", "pa:ss"));
  EXPECT_EQ(keychain.resolve("r.example:5000"), user_pass("alice", "s3cret-pw"));
  EXPECT_EQ(keychain.resolve("id.example").identity_token, "refresh-tok-1");
  EXPECT_EQ(keychain.resolve("tok.example").registry_token, "bearer-tok-1");
  EXPECT_TRUE(keychain.resolve("empty.example").empty());
  EXPECT_TRUE(keychain.resolve("r.example").empty());  // exact host:port only
  EXPECT_TRUE(keychain.resolve("other.example").empty());
  // Everything read is a secret from now on.
  EXPECT_EQ(log::redact("pa:ss s3cret-pw dXNlcjpwYTpzcw== refresh-tok-1"), "**** **** **** ****");
}

TEST(DockerConfigKeychain, RejectsMalformedWithoutQuotingSecrets) {
  const std::pair<const char*, const char*> rows[] = {
      {R"([])", "config.json: a docker config must be a JSON object"},
      {R"({"auths": []})", "config.json: \"auths\" must be an object"},
      {R"({"auths": {"r.example": {"auth": "bm9jb2xvbg=="}}})",
       "config.json: auths.\"r.example\".auth does not decode to user:password"},
      {R"({"credHelpers": {"r.example": "../evil"}})", "config.json: credHelpers.\"r.example\" is not a helper name"},
  };
  for (const auto& [text, message] : rows) {
    try {
      DockerConfigKeychain(Json::parse(text), "config.json");
      ADD_FAILURE() << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      EXPECT_STREQ(e.what(), message);
    }
  }
}

TEST(DockerConfigKeychain, AskCredentialHelpers) {
  TempDir dir("kiln-helpers");
  // Echoes the server URL it was given, so the test sees what went to stdin.
  write_helper(dir.path(), "fake",
               "[ \"$1\" = get ] || exit 2\nread url\n"
               "case \"$url\" in\n"
               "  r.example) echo '{\"ServerURL\":\"r.example\",\"Username\":\"bob\",\"Secret\":\"helper-pw-1\"}';;\n"
               "  https://index.docker.io/v1/) echo '{\"ServerURL\":\"x\",\"Username\":\"hub\",\"Secret\":\"hub-pw-1\"}';;\n"
               "  id.example) echo '{\"ServerURL\":\"id.example\",\"Username\":\"<token>\",\"Secret\":\"id-tok-1\"}';;\n"
               "  *) echo 'credentials not found in native keychain'; exit 1;;\n"
               "esac\n");
  write_helper(dir.path(), "store", "read url\necho \"{\\\"Username\\\":\\\"store\\\",\\\"Secret\\\":\\\"$url\\\"}\"\n");
  const Json config = Json::parse(R"({
    "auths": {"plain.example": {"username": "p", "password": "plain-pw"}},
    "credHelpers": {"r.example": "fake", "docker.io": "fake", "id.example": "fake", "none.example": "fake"},
    "credsStore": "store"})");
  DockerConfigKeychain keychain(config, "config.json", CredentialHelperOptions{.directory = dir.path(), .env = {}});
  EXPECT_EQ(keychain.resolve("r.example"), user_pass("bob", "helper-pw-1"));
  EXPECT_EQ(keychain.resolve("index.docker.io"), user_pass("hub", "hub-pw-1"));
  Credential id;
  id.identity_token = "id-tok-1";
  EXPECT_EQ(keychain.resolve("id.example"), id);
  EXPECT_TRUE(keychain.resolve("none.example").empty());  // helper exit 1: no credentials
  EXPECT_EQ(keychain.resolve("plain.example"), user_pass("p", "plain-pw"));  // auths before credsStore
  EXPECT_EQ(keychain.resolve("other.example:5000"), user_pass("store", "other.example:5000"));
  EXPECT_EQ(log::redact("helper-pw-1 id-tok-1"), "**** ****");
}

TEST(DockerConfigKeychain, MissingHelperIsAnInfraErrorNamingTheConfig) {
  TempDir dir("kiln-helpers");
  DockerConfigKeychain keychain(Json::parse(R"({"credsStore": "absent"})"), "config.json",
                                CredentialHelperOptions{.directory = dir.path(), .env = {}});
  try {
    keychain.resolve("r.example");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_NE(std::string(e.what()).find("config.json: credential helper for r.example"), std::string::npos) << e.what();
  }
}

TEST(DockerConfigKeychain, FromEnvFindsDockerConfigOrIsAnonymous) {
  TempDir dir("kiln-docker-config");
  EXPECT_TRUE(DockerConfigKeychain::from_env(Env{{{"DOCKER_CONFIG", dir.path().string()}}}).resolve("r.example").empty());
  std::ofstream(dir.path() / "config.json") << R"({"auths":{"r.example":{"username":"u","password":"env-pw-1"}}})";
  EXPECT_EQ(DockerConfigKeychain::from_env(Env{{{"DOCKER_CONFIG", dir.path().string()}}}).resolve("r.example"),
            user_pass("u", "env-pw-1"));
  std::filesystem::create_directories(dir.path() / "home/.docker");
  std::filesystem::copy(dir.path() / "config.json", dir.path() / "home/.docker/config.json");
  EXPECT_EQ(DockerConfigKeychain::from_env(Env{{{"HOME", (dir.path() / "home").string()}}}).resolve("r.example"),
            user_pass("u", "env-pw-1"));
  std::ofstream(dir.path() / "config.json") << "{ not json";
  EXPECT_THROW(DockerConfigKeychain::from_env(Env{{{"DOCKER_CONFIG", dir.path().string()}}}), Error);
}

}  // namespace kiln::oci
