// Equivalence with a real Dockerfile builder: each RUN-less Dockerfile of the corpus is built
// by kiln's native backend and by `buildah bud` (Debian's buildah, its own storage in a temp
// dir), both pushed to one docker-registry; the image configs (env, labels, workdir,
// entrypoint, cmd, user, exposed ports, volumes) and the file trees umoci unpacks (paths,
// types, modes, owners, contents, link targets) must be the same.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/json.h"
#include "oci/registry/client.h"
#include "plugin/backend/native/dockerfile_build.h"
#include "tests/support/busybox_image.h"
#include "tests/support/image_tree.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {
namespace fs = std::filesystem;
using oci::Json;

struct ContextFile {
  std::string path;
  std::string content;
  unsigned mode = 0644;
};

struct Case {
  std::string name;
  std::string dockerfile;  ///< "$BASE" stands for the busybox base in the test registry
  std::vector<ContextFile> files;
  std::map<std::string, std::string> build_args;
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.name; }

const std::vector<Case>& corpus() {
  static const std::vector<Case> cases = {
      {"scratch_copy_entrypoint", "FROM scratch\nCOPY main /usr/local/app/main\nENTRYPOINT [\"/usr/local/app/main\"]\n",
       {{"main", "binary", 0755}}},
      {"workdir_relative_copy_shell_cmd",
       "FROM scratch\nWORKDIR /usr/local/app\nCOPY main ./\nCMD ./main --serve\n", {{"main", "bin", 0755}}},
      {"env_quotes_and_escapes",
       "FROM $BASE\nENV A=1 B=\"two words\" C='single $A' D=\\$literal\nENV LEGACY value with spaces\n", {}},
      {"labels_with_spaces_and_quotes",
       "FROM scratch\nLABEL org.example.title=\"My App\" version=1.0 \"quoted key\"=v\nLABEL desc=\"say \\\"hi\\\"\"\n",
       {}},
      {"arg_default_and_override",
       "FROM scratch\nARG VERSION=1.0\nARG FLAVOUR=plain\nENV APP_VERSION=$VERSION APP_FLAVOUR=${FLAVOUR}\n"
       "LABEL v=${VERSION:-none} set=${FLAVOUR:+yes}\n",
       {},
       {{"VERSION", "2.5"}}},
      {"global_arg_in_from", "ARG BASE_IMAGE=scratch\nFROM ${BASE_IMAGE}\nARG BASE_IMAGE\nENV FROM_ARG=$BASE_IMAGE\n", {}},
      {"copy_chown_chmod",
       "FROM scratch\nCOPY --chown=1000:100 main /app/main\nCOPY --chmod=0700 conf /app/conf\n",
       {{"main", "m", 0755}, {"conf/a.yaml", "a", 0644}, {"conf/sub/b", "b", 0600}}},
      {"copy_directory_tree", "FROM scratch\nCOPY site/ /var/www/\n",
       {{"site/index.html", "<h1>", 0644}, {"site/css/app.css", "body{}", 0644}, {"site/bin/run", "#!", 0750}}},
      {"copy_globs", "FROM scratch\nCOPY *.txt docs/*.md /share/\n",
       {{"a.txt", "a"}, {"b.txt", "b"}, {"c.log", "c"}, {"docs/x.md", "x"}, {"docs/y.rst", "y"}}},
      {"stage_chain", "FROM scratch AS base\nENV A=1\nCOPY a /a\nFROM base AS app\nENV B=2\nCOPY b /b\nFROM app\nLABEL final=yes\n",
       {{"a", "a"}, {"b", "b"}}},
      // One VOLUME instruction: buildah 1.28 keeps only the last VOLUME instruction's
      // directories in the image, where Docker's classic builder and Kaniko keep every one
      // (and kiln does too); BuildKit creates none.
      {"user_expose_volume", "FROM $BASE\nUSER 1000:1000\nEXPOSE 8080 53/udp\nVOLUME /data /srv/logs\n", {}},
      {"volume_json_form", "FROM scratch\nVOLUME [\"/cache\", \"/var/lib/app\"]\n", {}},
      {"entrypoint_clears_inherited_cmd", "FROM $BASE\nENTRYPOINT [\"/bin/echo\"]\n", {}},
      {"cmd_then_entrypoint_keeps_cmd", "FROM $BASE\nCMD [\"hello\"]\nENTRYPOINT /bin/echo\n", {}},
      {"dockerignore", "FROM scratch\nCOPY . /app/\n",
       {{".dockerignore", "*.log\nsecret/\n!keep.log\n"}, {"main", "m", 0755}, {"debug.log", "d"}, {"keep.log", "k"},
        {"secret/key", "s", 0600}, {"src/x.c", "c"}}},
      {"env_extends_base_path", "FROM $BASE\nENV PATH=/opt/app/bin:$PATH\n", {}},
      {"workdir_without_copy", "FROM scratch\nWORKDIR /srv/data\nENV X=1\n", {}},
      {"add_local_file", "FROM scratch\nADD notes.txt /doc/\nADD tool /usr/bin/tool\n",
       {{"notes.txt", "n"}, {"tool", "t", 0755}}},
      {"stopsignal_and_user_name", "FROM $BASE\nSTOPSIGNAL SIGTERM\nUSER nobody\nWORKDIR /tmp\n", {}},
      // --chown by name: the base's /etc/passwd (a name alone takes the user's primary group),
      // and one the Dockerfile copied in itself, with /etc/group.
      {"copy_chown_base_user_name", "FROM $BASE\nCOPY --chown=nobody main /app/main\n", {{"main", "m", 0755}}},
      {"copy_chown_names_from_copied_passwd",
       "FROM scratch\nCOPY passwd group /etc/\nCOPY --chown=app:staff main /app/main\nCOPY --chown=app conf /conf\n",
       {{"passwd", "root:x:0:0::/:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n"},
        {"group", "root:x:0:\nstaff:x:50:app\n"},
        {"main", "m", 0755},
        {"conf/a", "a"}}},
      // COPY --from: a scratch stage's copies, a stage on a base (files from the base's
      // layers), an image, a stage by index; owners kept unless --chown.
      {"copy_from_scratch_stage",
       "FROM scratch AS build\nCOPY site/ /out/\nCOPY main /bin/app\nFROM scratch\nCOPY --from=build /out /www/\n"
       "COPY --from=build /bin/app /usr/local/bin/\n",
       {{"site/index.html", "<h1>"}, {"site/css/app.css", "body{}"}, {"main", "m", 0755}}},
      {"copy_from_stage_on_base_with_glob",
       "FROM $BASE AS tools\nCOPY conf /etc/app/\nFROM scratch\nCOPY --from=tools /bin/busybox /etc/passwd /root/\n"
       "COPY --from=tools /etc/app/*.yaml /conf/\n",
       {{"conf/a.yaml", "a"}, {"conf/b.yaml", "b"}, {"conf/c.txt", "c"}}},
      {"copy_from_image", "FROM scratch\nCOPY --from=$BASE /etc/passwd /etc/passwd\nCOPY --from=$BASE /bin/ /bin/\n", {}},
      {"copy_from_owner_kept_or_changed",
       "FROM scratch AS a\nCOPY --chown=7:8 main /m\nFROM scratch\nCOPY --from=0 /m /kept\n"
       "COPY --from=a --chown=1:2 --chmod=0700 /m /changed\n",
       {{"main", "m", 0755}}},
  };
  return cases;
}

// The config fields the comparison covers; buildah's own version label is not part of it.
Json comparable(Json config) {
  Json c = config.value("config", Json::object());
  Json out = Json::object();
  for (const char* key : {"Env", "Labels", "WorkingDir", "Entrypoint", "Cmd", "User", "ExposedPorts", "Volumes", "StopSignal"}) {
    Json value = c.value(key, Json());
    if (std::string(key) == "Labels" && value.is_object()) value.erase("io.buildah.version");
    const bool empty = value.is_null() || (value.is_object() && value.empty()) || (value.is_array() && value.empty()) ||
                       (value.is_string() && value.get<std::string>().empty());
    if (!empty) out[key] = value;
  }
  return out;
}

class DockerfileEquivalence : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    oci::RegistryClient client(registry_.host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    push_busybox_base(client, {.repository = "base/busybox", .tag = "1"});
  }

  fs::path make_context(const Case& c) {
    const fs::path context = work_.path() / "context";
    fs::create_directories(context);
    std::string dockerfile = c.dockerfile;
    for (auto pos = dockerfile.find("$BASE"); pos != std::string::npos; pos = dockerfile.find("$BASE"))
      dockerfile.replace(pos, 5, registry_.host() + "/base/busybox:1");
    std::ofstream(context / "Dockerfile") << dockerfile;
    for (const auto& f : c.files) {
      fs::create_directories((context / f.path).parent_path());
      std::ofstream(context / f.path) << f.content;
      fs::permissions(context / f.path, fs::perms(f.mode));
    }
    return context;
  }

  std::string ref(const std::string& who) const { return registry_.host() + "/eq/" + GetParam().name + "-" + who + ":1"; }

  void build_with_buildah(const fs::path& context, const Case& c) {
    const std::string storage = (work_.path() / "buildah").string();
    std::vector<std::string> argv{"buildah", "--root", storage + "/root", "--runroot", storage + "/run",
                                  "--storage-driver", "vfs", "bud", "--isolation", "chroot", "--tls-verify=false",
                                  "--format", "oci", "-q", "-t", "localhost/kiln-eq:1"};
    for (const auto& [k, v] : c.build_args) argv.push_back("--build-arg=" + k + "=" + v);
    argv.push_back(context.string());
    run_ok(argv);
    run_ok({"buildah", "--root", storage + "/root", "--runroot", storage + "/run", "--storage-driver", "vfs", "push",
            "--tls-verify=false", "localhost/kiln-eq:1", "docker://" + ref("buildah")});
  }

  void build_with_kiln(const fs::path& context, const Case& c) {
    plugin::DockerfileBuild build{.dockerfile = "Dockerfile", .context = context, .build_args = c.build_args,
                                  .target_stage = {}, .push = {}};
    build.push.outputs.destinations = {oci::Reference::parse(ref("kiln")).with_tag("1")};
    build.push.access.insecure = true;
    const plugin::Dockerfile dockerfile = plugin::load_dockerfile(build);
    ASSERT_EQ(plugin::why_not_native(dockerfile, build), std::nullopt);
    plugin::build_dockerfile_natively(dockerfile, build, std::make_shared<oci::AnonymousKeychain>());
  }

  std::map<std::string, std::string> unpacked_tree(const std::string& who) { return image_tree(ref(who), work_.path(), who); }

  Json config_of(const std::string& who) { return image_config(ref(who)); }

  LocalRegistry registry_;
  TempDir work_{"kiln-equivalence"};
};

}  // namespace

TEST_P(DockerfileEquivalence, NativeBuildMatchesBuildah) {
  const Case& c = GetParam();
  const fs::path context = make_context(c);
  build_with_buildah(context, c);
  build_with_kiln(context, c);
  EXPECT_EQ(comparable(config_of("kiln")), comparable(config_of("buildah")));
  EXPECT_EQ(unpacked_tree("kiln"), unpacked_tree("buildah"));
}

INSTANTIATE_TEST_SUITE_P(Corpus, DockerfileEquivalence, ::testing::ValuesIn(corpus()),
                         [](const auto& info) { return info.param.name; });

}  // namespace kiln::testing
