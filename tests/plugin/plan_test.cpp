#include "plugin/plan.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"

namespace kiln::plugin {
namespace {

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(binary()) << "#!/bin/sh\necho hi\n"; }
  std::string binary() const { return (dir_.path() / "main").string(); }
  Env env(std::map<std::string, std::string> extra) const {
    Env e{{{"PLUGIN_REPO", "127.0.0.1:5000/team/app"}, {"PLUGIN_BASE_IMAGE", "127.0.0.1:5000/base:1"},
           {"PLUGIN_BINARY", binary()}}};
    for (auto& [k, v] : extra) e.vars[k] = v;
    return e;
  }
  BuildPlan plan(std::map<std::string, std::string> extra) const {
    const Env e = env(extra);
    return make_plan(load_settings(e, {}, nullptr), e);
  }
  std::string error_of(std::map<std::string, std::string> extra) const {
    try {
      plan(extra);
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      return e.what();
    }
    return "no error";
  }
  TempDir dir_{"kiln-plan"};
};

}  // namespace

TEST_F(PlanTest, Defaults) {
  const BuildPlan p = plan({});
  EXPECT_EQ(p.target.to_string(), "127.0.0.1:5000/team/app:latest");
  EXPECT_EQ(p.tags, std::vector<std::string>{"latest"});
  EXPECT_EQ(p.base.to_string(), "127.0.0.1:5000/base:1");
  EXPECT_EQ(p.compression, (oci::CompressionSettings{.kind = oci::Compression::gzip, .level = 1}));
  EXPECT_EQ(p.source_date_epoch, 0);
  ASSERT_EQ(p.binaries.size(), 1u);
  EXPECT_FALSE(p.binaries[0].platform);
}

TEST_F(PlanTest, RegistryIsPrefixedOnlyWhenMissing) {
  EXPECT_EQ(plan({{"PLUGIN_REPO", "team/app"}, {"PLUGIN_REGISTRY", "r.example:5000"}}).target.name(),
            "r.example:5000/team/app");
  EXPECT_EQ(plan({{"PLUGIN_REPO", "r.example:5000/team/app"}, {"PLUGIN_REGISTRY", "r.example:5000"}}).target.name(),
            "r.example:5000/team/app");
  EXPECT_EQ(plan({{"PLUGIN_REPO", "team/app"}, {"PLUGIN_REGISTRY", "https://r.example:5000/v2/"}}).target.name(),
            "r.example:5000/team/app");
  EXPECT_EQ(plan({{"PLUGIN_REPO", "https://r.example:5000/team/app"}}).target.name(), "r.example:5000/team/app");
  // drone-kaniko's default registry is the Docker Hub URL; it is never prefixed onto repo.
  EXPECT_EQ(plan({{"PLUGIN_REPO", "team/app"}, {"PLUGIN_REGISTRY", "https://index.docker.io/v1/"}}).target.name(),
            "docker.io/team/app");
}

TEST_F(PlanTest, PerPlatformBinaries) {
  const BuildPlan p = plan({{"PLUGIN_BINARY", "linux/amd64=" + binary() + ",linux/arm64=" + binary()}});
  ASSERT_EQ(p.binaries.size(), 2u);
  EXPECT_EQ(p.binaries[1].platform->to_string(), "linux/arm64");
  EXPECT_EQ(p.binaries[1].path, binary());
}

TEST_F(PlanTest, ErrorsNameTheSetting) {
  EXPECT_EQ(error_of({{"PLUGIN_TAGS", "v1,bad tag!"}}),
            "setting tags: invalid tag 'bad tag!': a tag may contain only letters, digits, '_', '.' and '-', and "
            "cannot start with '.' or '-'");
  EXPECT_EQ(error_of({{"PLUGIN_REPO", "Team/App"}}),
            "setting repo: invalid image reference 'Team/App': invalid repository 'Team/App': component 'Team' "
            "must be lowercase");
  EXPECT_EQ(error_of({{"PLUGIN_BINARY", "/nonexistent/main"}}),
            "setting binary: /nonexistent/main does not exist or is not a regular file");
  EXPECT_EQ(error_of({{"PLUGIN_BINARY", binary() + "," + binary()}}),
            "setting binary: with several binaries each needs its platform, e.g. linux/arm64=" + binary());
  EXPECT_EQ(error_of({{"PLUGIN_COMPRESSION", "brotli"}}), "setting compression: 'brotli' is not one of gzip, zstd, none");
  EXPECT_EQ(error_of({{"PLUGIN_COMPRESSION_LEVEL", "12"}}), "setting compression_level: 12 is out of range 1-9 for gzip");
  EXPECT_EQ(error_of({{"PLUGIN_BASE_IMAGE", ""}}),
            "setting base_image: is required for a binary-on-base build, e.g. debian:bookworm-slim");
  EXPECT_EQ(error_of({{"SOURCE_DATE_EPOCH", "yesterday"}}),
            "SOURCE_DATE_EPOCH 'yesterday' is not a non-negative whole number of seconds");
}

TEST_F(PlanTest, SourceDateEpoch) { EXPECT_EQ(plan({{"SOURCE_DATE_EPOCH", "1700000000"}}).source_date_epoch, 1700000000); }

// In CI, without SOURCE_DATE_EPOCH, the image is as old as its commit: reproducible for the
// commit, and a date that means something. Outside CI, and with reproducible, it stays 1970.
TEST_F(PlanTest, CreatedTimeIsTheCommitsInCi) {
  const std::map<std::string, std::string> gitlab{{"GITLAB_CI", "true"}, {"CI_COMMIT_TIMESTAMP", "2024-05-01T12:30:45+02:00"}};
  EXPECT_EQ(plan(gitlab).source_date_epoch, 1714559445);
  EXPECT_EQ(plan(gitlab).labels.at("org.opencontainers.image.created"), "2024-05-01T10:30:45Z");
  EXPECT_EQ(plan({{"GITLAB_CI", "true"}, {"CI_COMMIT_TIMESTAMP", "2024-05-01T10:30:45.123Z"}}).source_date_epoch, 1714559445);
  EXPECT_EQ(plan({{"DRONE", "true"}, {"DRONE_BUILD_CREATED", "1700000123"}}).source_date_epoch, 1700000123);
  EXPECT_EQ(plan({{"CI", "woodpecker"}, {"CI_PIPELINE_CREATED", "1700000456"}}).source_date_epoch, 1700000456);
  auto with = [&](std::map<std::string, std::string> extra) {
    auto e = gitlab;
    for (auto& [k, v] : extra) e[k] = v;
    return plan(e).source_date_epoch;
  };
  EXPECT_EQ(with({{"SOURCE_DATE_EPOCH", "5"}}), 5);
  EXPECT_EQ(with({{"PLUGIN_REPRODUCIBLE", "true"}}), 0);
  EXPECT_EQ(with({{"CI_COMMIT_TIMESTAMP", "yesterday"}}), 0);
  EXPECT_EQ(with({{"CI_COMMIT_TIMESTAMP", "2024-13-01T00:00:00Z"}}), 0);
  EXPECT_EQ(plan({{"CI_COMMIT_TIMESTAMP", "2024-05-01T10:30:45Z"}}).source_date_epoch, 0) << "not in CI";
}

// The native backend's registry options per registry: insecure_registry, insecure_pull,
// skip_tls_verify, skip_tls_verify_pull and skip_tls_verify_registry as the executor reads them.
TEST_F(PlanTest, RegistryAccessPerRegistry) {
  const std::string push = "127.0.0.1:5000", pull = "base.example";
  auto options = [&](std::map<std::string, std::string> extra, const std::string& registry) {
    return plan(extra).access.options_for(registry);
  };
  EXPECT_FALSE(options({}, push).insecure);
  EXPECT_TRUE(options({}, push).verify_tls);
  EXPECT_TRUE(options({{"PLUGIN_INSECURE_REGISTRY", "base.example,other:1"}}, pull).insecure);
  EXPECT_FALSE(options({{"PLUGIN_INSECURE_REGISTRY", "base.example,other:1"}}, push).insecure);
  EXPECT_TRUE(options({{"PLUGIN_INSECURE_PULL", "true"}}, pull).insecure);
  EXPECT_FALSE(options({{"PLUGIN_INSECURE_PULL", "true"}}, push).insecure) << "pushes stay on https";
  EXPECT_FALSE(options({{"PLUGIN_SKIP_TLS_VERIFY", "true"}}, push).verify_tls);
  EXPECT_FALSE(options({{"PLUGIN_SKIP_TLS_VERIFY", "true"}}, pull).verify_tls);
  EXPECT_FALSE(options({{"PLUGIN_SKIP_TLS_VERIFY_PULL", "true"}}, pull).verify_tls);
  EXPECT_TRUE(options({{"PLUGIN_SKIP_TLS_VERIFY_PULL", "true"}}, push).verify_tls);
  EXPECT_FALSE(options({{"PLUGIN_SKIP_TLS_VERIFY_REGISTRY", "true"}}, push).verify_tls);
  EXPECT_TRUE(options({{"PLUGIN_SKIP_TLS_VERIFY_REGISTRY", "true"}}, pull).verify_tls);
  EXPECT_FALSE(options({{"PLUGIN_SKIP_TLS_VERIFY_REGISTRY", "https://base.example/"}}, pull).verify_tls);
  EXPECT_FALSE(options({{"PLUGIN_SKIP_TLS_VERIFY_REGISTRY", "index.docker.io"}}, "docker.io").verify_tls);
}

TEST_F(PlanTest, SigningIsRefused) {
  EXPECT_EQ(error_of({{"PLUGIN_COSIGN_PRIVATE_KEY", "-----BEGIN KEY-----"}}).rfind("setting cosign_private_key: kiln does not sign images", 0), 0u);
  EXPECT_EQ(error_of({{"PLUGIN_COSIGN_PARAMS", "--tlog-upload=false"}}).rfind("setting cosign_params: ", 0), 0u);
}

// A binary-on-base build may list the platforms of its binaries; anything else is one platform.
TEST_F(PlanTest, PlatformList) {
  const std::string other = (dir_.path() / "arm").string();
  std::ofstream(other) << "x";
  const BuildPlan p = plan({{"PLUGIN_BINARY", "linux/amd64=" + binary() + ",linux/arm64=" + other},
                            {"PLUGIN_PLATFORMS", "linux/arm64,linux/amd64"}});
  EXPECT_EQ(p.platforms.size(), 2u);
  EXPECT_FALSE(p.platform.has_value());
  EXPECT_EQ(error_of({{"PLUGIN_PLATFORMS", "linux/arm64,linux/amd64"}}).rfind("setting platform: names 2 platforms", 0), 0u);
}

TEST_F(PlanTest, GitlabPushesToTheProjectRegistryWithAutoTags) {
  const BuildPlan p = plan({{"PLUGIN_REPO", ""}, {"GITLAB_CI", "true"}, {"CI_REGISTRY_IMAGE", "r.gitlab.example/g/p"},
                            {"CI_COMMIT_TAG", "v1.2.3"}, {"KILN_AUTO_TAG", "true"}});
  EXPECT_EQ(p.target.to_string(), "r.gitlab.example/g/p:1");
  EXPECT_EQ(p.tags, (std::vector<std::string>{"1", "1.2", "1.2.3"}));
}

// The native backend resolves credentials from the same merged document kaniko gets.
TEST_F(PlanTest, KeychainUsesTheMergedDockerConfig) {
  const Env e = env({{"PLUGIN_USERNAME", "u"}, {"PLUGIN_PASSWORD", "p"}, {"PLUGIN_BASE_IMAGE_REGISTRY", "docker.io"},
                     {"PLUGIN_BASE_IMAGE_USERNAME", "hub"}, {"PLUGIN_BASE_IMAGE_PASSWORD", "hp"},
                     {"PLUGIN_LOGINS", R"([{"registry":"ghcr.io","username":"g","password":"gp"}])"},
                     {"DOCKER_CONFIG", (dir_.path() / "none").string()}});
  const Settings s = load_settings(e, {}, nullptr);
  const auto keychain = make_keychain(s, make_plan(s, e), e);
  EXPECT_EQ(keychain->resolve("127.0.0.1:5000"), (oci::Credential{.username = "u", .password = "p"}));
  EXPECT_EQ(keychain->resolve("docker.io"), (oci::Credential{.username = "hub", .password = "hp"}));
  EXPECT_EQ(keychain->resolve("ghcr.io"), (oci::Credential{.username = "g", .password = "gp"}));
  EXPECT_TRUE(keychain->resolve("quay.io").empty());
}

}  // namespace kiln::plugin

namespace kiln::plugin {

TEST_F(PlanTest, DestinationsAreRepoTimesTags) {
  const BuildPlan p = plan({{"PLUGIN_TAGS", "1.0,1"}});
  ASSERT_EQ(p.destinations.size(), 2u);
  EXPECT_EQ(p.destinations[0].to_string(), "127.0.0.1:5000/team/app:1.0");
  EXPECT_EQ(p.destinations[1].to_string(), "127.0.0.1:5000/team/app:1");
}

TEST_F(PlanTest, DestinationsSettingOverridesRepoAndTags) {
  // Woodpecker's destinations: full references, a scheme dropped, duplicates once.
  const BuildPlan p = plan({{"PLUGIN_REPO", ""}, {"PLUGIN_TAGS", "9"},
                            {"PLUGIN_DESTINATIONS", "https://ghcr.io/a/b:1,127.0.0.1:5000/c/d,ghcr.io/a/b:1"}});
  ASSERT_EQ(p.destinations.size(), 2u);
  EXPECT_EQ(p.destinations[0].to_string(), "ghcr.io/a/b:1");
  EXPECT_EQ(p.destinations[1].to_string(), "127.0.0.1:5000/c/d:latest");
  EXPECT_EQ(p.target.to_string(), "ghcr.io/a/b:1");
  EXPECT_EQ(error_of({{"PLUGIN_DESTINATIONS", "ghcr.io/a/b@sha256:" + std::string(64, 'a')}}),
            "setting destinations: 'ghcr.io/a/b@sha256:" + std::string(64, 'a') + "' must not contain a digest");
}

TEST_F(PlanTest, LocalOutputsAndPushOnly) {
  const BuildPlan p = plan({{"PLUGIN_DRY_RUN", "true"}, {"PLUGIN_TAR_PATH", "/out/i.tar"}, {"PLUGIN_OCI_LAYOUT_PATH", "/out/l"}});
  EXPECT_FALSE(p.push);
  EXPECT_EQ(p.tar_path.string(), "/out/i.tar");
  EXPECT_EQ(p.oci_layout_path.string(), "/out/l");
  EXPECT_TRUE(p.push_only_source.empty());
  const BuildPlan only = plan({{"PLUGIN_PUSH_ONLY", "true"}, {"PLUGIN_SOURCE_TAR_PATH", binary()}});
  EXPECT_EQ(only.push_only_source.string(), binary());
  EXPECT_TRUE(only.tar_path.empty()) << "push_only writes nothing";
  EXPECT_EQ(error_of({{"PLUGIN_PUSH_ONLY", "true"}}),
            "setting push_only: needs source_tar_path (a docker-archive), oci_layout_path (an OCI layout) or "
            "source_image to push");
  EXPECT_EQ(plan({{"PLUGIN_PUSH_ONLY", "true"}, {"PLUGIN_SOURCE_IMAGE", "127.0.0.1:5000/built:1"}}).push_only_image,
            oci::Reference::parse("127.0.0.1:5000/built:1"));
  EXPECT_EQ(error_of({{"PLUGIN_PUSH_ONLY", "true"}, {"PLUGIN_DRY_RUN", "true"}}),
            "setting push_only: cannot be combined with dry_run (no_push)");
  EXPECT_EQ(error_of({{"PLUGIN_PUSH_ONLY", "true"}, {"PLUGIN_SOURCE_TAR_PATH", "/nope.tar"}}),
            "setting source_tar_path: /nope.tar does not exist (push_only)");
}

}  // namespace kiln::plugin
