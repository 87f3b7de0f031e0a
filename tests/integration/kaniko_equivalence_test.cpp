// Equivalence with the real Kaniko executor: every RUN-less Dockerfile of
// tests/integration/kaniko_corpus (its README says how a case is laid out) is built by kiln-plugin
// twice, natively and through the Kaniko backend running the real executor v1.19.0 (the peers'
// kaniko-chroot-exec), both pushed to one docker-registry on 127.0.0.1; the runtime configs and
// the file trees umoci unpacks must be the same, but for the differences listed below, each a
// deviation of Kaniko from Docker where the native backend keeps Docker's answer. A difference
// not listed fails the test, and so does a listed one that is gone.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/json.h"
#include "oci/layer/archive_handle.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "tests/support/files.h"
#include "tests/support/image_tree.h"
#include "tests/support/local_registry.h"
#include "tests/support/peers.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {
namespace fs = std::filesystem;
using oci::Json;

const fs::path kCorpus = fs::path(KILN_SOURCE_DIR) / "tests/integration/kaniko_corpus";

using kiln::testing::peers_dir;

// One way the two images differ: "config <Field>" or "file <path>", with each side's value
// ("(none)" when absent).
struct Difference {
  std::string what;
  std::string native;
  std::string kaniko;
  auto operator<=>(const Difference&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Difference& d) {
  return out << "\n  " << d.what << "\n    native: " << d.native << "\n    kaniko: " << d.kaniko;
}

// Kaniko v1.19.0's deviations from Docker in the corpus, each checked against Docker's source
// (moby's builder and pkg/archive) and Kaniko's (pkg/commands, pkg/util at the v1.19.0 tag).
struct Deviation {
  Difference difference;
  std::string why;
};

const std::map<std::string, std::vector<Deviation>>& expected_differences() {
  // A full-filesystem snapshot (Kaniko takes one for ADD of a local archive) stores the
  // executor's own directories that are not on its ignore list (pkg/util/fs_util.go
  // defaultIgnoreList: /kaniko, /etc/mtab, /tmp/apt-key-gpghome): /workspace, the WORKDIR of
  // Kaniko's image (deploy/Dockerfile), and over scratch /etc and /tmp, which the throwaway root
  // of kaniko-chroot-exec has (Kaniko's image has /etc/nsswitch.conf there).
  const auto executor_dir = [](const std::string& path) {
    return Deviation{{"file " + path, "(none)", "d 755 0:0"},
                     "Kaniko's full snapshot takes the executor's own " + path + " into the image"};
  };
  // Kaniko's ExtractFile (pkg/util/fs_util.go) never chowns a symlink; Docker's unpacking
  // (moby pkg/archive createTarFile) lchowns every entry.
  const auto symlink_owner = [](const std::string& path, const std::string& target) {
    return Deviation{{"file " + path, "l 1000:1000 -> " + target, "l 0:0 -> " + target},
                     "Kaniko leaves an unpacked symlink root's; Docker gives it the archive's owner"};
  };
  // VolumeCommand (pkg/commands/volume.go) makes the directory on the executor's disk but is
  // metadata-only: it reaches a layer only with the next instruction that takes a snapshot
  // (pkg/executor/build.go takeSnapshot: "Volumes are very weird. They get snapshotted in the
  // next command."). Docker's builders create no directory at all, buildah always does; kiln
  // always does (0755 root, as Kaniko when it keeps it), and a runtime makes the mount point
  // anyway, so containers see the same.
  const auto volume_dropped = [](const std::string& path) {
    return Deviation{{"file " + path, "d 755 0:0", "(none)"},
                     "Kaniko drops a VOLUME directory no later instruction snapshots"};
  };
  static const std::map<std::string, std::vector<Deviation>> expected = {
      {"add_tar_plain_gzip_bzip2", {executor_dir("/workspace")}},
      {"add_tar_with_symlink",
       {executor_dir("/etc"), executor_dir("/tmp"), executor_dir("/workspace"), symlink_owner("/opt/d/l", "f"),
        symlink_owner("/opt/d/sub/up", "../f")}},
      // Kaniko v1.19.0 ignores --chmod on COPY of context files (Docker, BuildKit and buildah apply it).
      {"copy_chmod",
       {{{"file /app/main", "f 640 0:0 2 01a60e35df88", "f 644 0:0 2 01a60e35df88"}, "COPY --chmod ignored"},
        {{"file /app/conf/a.yaml", "f 700 0:0 2 87428fc52280", "f 644 0:0 2 87428fc52280"}, "COPY --chmod ignored"}}},
      // --chown=app (no group): BuildKit and buildah take the user's primary group from
      // /etc/passwd (1001); Kaniko's GetUserGroup falls back to the uid as gid.
      {"copy_chown_names_from_copied_passwd",
       {{{"file /conf", "d 755 1000:1001", "d 755 1000:1000"}, "--chown=user: Kaniko's gid is the uid"},
        {{"file /conf/a", "f 644 1000:1001 2 87428fc52280", "f 644 1000:1000 2 87428fc52280"},
         "--chown=user: Kaniko's gid is the uid"}}},
      // Kaniko's gzip unpacking (pkg/util/tar_util.go UnpackCompressedTar) reports no files, so
      // when ADD has other sources too, only theirs are snapshotted: the archive's contents are
      // lost. (ADD of the archive alone takes a full snapshot and keeps them.)
      {"add_chown_archive_and_file",
       {{{"file /opt/app", "d 755 1000:1000", "(none)"}, "Kaniko loses a gzip archive ADDed with other sources"},
        {{"file /opt/app/main", "f 644 1000:1000 5 6403203dd5a0", "(none)"},
         "Kaniko loses a gzip archive ADDed with other sources"}}},
      {"volume_last", {volume_dropped("/data")}},
      {"volume_only_on_scratch", {volume_dropped("/data")}},
  };
  return expected;
}

// Cases Kaniko v1.19.0 cannot build at all, with the error it gives; Docker builds them.
const std::map<std::string, std::string>& kaniko_fails() {
  static const std::map<std::string, std::string> fails = {
      // Kaniko detects xz (archive.DetectCompression) but unpacks only gzip and bzip2
      // (pkg/util/tar_util.go UnpackLocalTarArchive); Docker unpacks xz too.
      {"add_tar_xz", "unpacking local tar: path does not lead to local tar archive"},
      // Kaniko takes any gzip file for a compressed tar and fails reading it as one; Docker
      // copies a file that is not a tar as it is (moby builder: archive.IsArchivePath).
      {"add_gzip_not_tar", "unpacking local tar: unexpected EOF"},
      // HEALTHCHECK --start-interval (Dockerfile syntax 1.6, Docker 25) is newer than the
      // parser Kaniko v1.19.0 vendors.
      {"healthcheck_start_interval", "unknown flag: start-interval"},
  };
  return fails;
}

std::vector<std::string> corpus_cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kCorpus))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

// `dir`'s contents as the tar (or, for a name ending in .gz that is not a tar, `dir` as the
// gzip'd file) `out` names; every entry owned by 1000:1000, in name order.
void pack(const fs::path& source, const fs::path& out) {
  const std::string name = out.filename().string();
  oci::WriteArchive a(archive_write_new());
  const bool raw = fs::is_regular_file(source);
  if (raw) archive_write_set_format_raw(a.get());
  else archive_write_set_format_pax_restricted(a.get());
  if (name.ends_with(".gz") || name.ends_with(".tgz")) archive_write_add_filter_gzip(a.get());
  else if (name.ends_with(".bz2")) archive_write_add_filter_bzip2(a.get());
  else if (name.ends_with(".xz")) archive_write_add_filter_xz(a.get());
  ASSERT_EQ(archive_write_open_filename(a.get(), out.c_str()), ARCHIVE_OK) << archive_error_string(a.get());
  std::vector<fs::path> paths;
  if (raw) paths.push_back(source);
  else
    for (auto it = fs::recursive_directory_iterator(source); it != fs::recursive_directory_iterator(); ++it)
      paths.push_back(it->path());
  std::sort(paths.begin(), paths.end());
  for (const fs::path& path : paths) {
    struct stat st {};
    ASSERT_EQ(::lstat(path.c_str(), &st), 0);
    oci::ArchiveEntry e(archive_entry_new());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_set_pathname(e.get(), raw ? name.c_str() : path.lexically_relative(source).c_str());
    archive_entry_set_uid(e.get(), 1000);
    archive_entry_set_gid(e.get(), 1000);
    std::string content;
    if (S_ISLNK(st.st_mode)) archive_entry_set_symlink(e.get(), fs::read_symlink(path).c_str());
    else if (S_ISREG(st.st_mode)) content = read_file(path);
    ASSERT_EQ(archive_write_header(a.get(), e.get()), ARCHIVE_OK) << archive_error_string(a.get());
    if (!content.empty()) archive_write_data(a.get(), content.data(), content.size());
  }
  ASSERT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
}

// The runtime config fields a container starts with, absent and empty alike left out.
Json runtime_config(const Json& image) {
  const Json c = image.value("config", Json::object());
  Json out = Json::object();
  for (const char* key : {"Env", "Entrypoint", "Cmd", "WorkingDir", "User", "Labels", "ExposedPorts", "Volumes",
                          "StopSignal", "Healthcheck", "OnBuild", "Shell"}) {
    const Json value = c.value(key, Json());
    const bool empty = value.is_null() || (value.is_object() && value.empty()) || (value.is_array() && value.empty()) ||
                       (value.is_string() && value.get<std::string>().empty());
    if (!empty) out[key] = value;
  }
  return out;
}

std::vector<Difference> differences(const Json& native_config, const Json& kaniko_config,
                                    const std::map<std::string, std::string>& native_tree,
                                    const std::map<std::string, std::string>& kaniko_tree) {
  std::vector<Difference> out;
  std::set<std::string> keys;
  for (auto it = native_config.begin(); it != native_config.end(); ++it) keys.insert(it.key());
  for (auto it = kaniko_config.begin(); it != kaniko_config.end(); ++it) keys.insert(it.key());
  for (const std::string& key : keys) {
    const std::string n = native_config.contains(key) ? native_config[key].dump() : "(none)";
    const std::string k = kaniko_config.contains(key) ? kaniko_config[key].dump() : "(none)";
    if (n != k) out.push_back({"config " + key, n, k});
  }
  std::set<std::string> paths;
  for (const auto& [path, what] : native_tree) paths.insert(path);
  for (const auto& [path, what] : kaniko_tree) paths.insert(path);
  for (const std::string& path : paths) {
    const auto n = native_tree.find(path), k = kaniko_tree.find(path);
    const std::string nv = n == native_tree.end() ? "(none)" : n->second;
    const std::string kv = k == kaniko_tree.end() ? "(none)" : k->second;
    if (nv != kv) out.push_back({"file /" + path, nv, kv});
  }
  return out;
}

class KanikoEquivalence : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!kiln::testing::have_real_kaniko())
      GTEST_SKIP() << "no Kaniko executor in " << peers_dir() << " (set KILN_PEERS_DIR to the peers directory)";
    if (run_process({"unshare", "-m", "-p", "--fork", "true"}).exit_code != 0)
      GTEST_SKIP() << "kaniko-chroot-exec needs root and unshare";
    oci::RegistryClient client(registry_.host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    push_busybox_base(client, {.repository = "base/busybox", .tag = "1"});
    // A copy of the wrapper: kiln-plugin keeps the executor's digest file beside the executor.
    fs::copy_file(peers_dir() / "kaniko-chroot-exec", work_.path() / "kaniko-chroot-exec");
  }

  // The case's context, as its README describes.
  fs::path make_context() {
    const fs::path source = kCorpus / GetParam(), copy = work_.path() / "case", context = work_.path() / "context";
    fs::copy(source, copy, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    std::ifstream modes(copy / "modes");
    std::string path, mode;
    while (modes >> path >> mode) fs::permissions(copy / path, fs::perms(std::stoul(mode, nullptr, 8)));
    if (fs::exists(copy / "context")) fs::rename(copy / "context", context);
    else fs::create_directories(context);
    if (fs::exists(copy / "archives"))
      for (const auto& archive : fs::directory_iterator(copy / "archives"))
        pack(archive.path(), context / archive.path().filename());
    std::string dockerfile = read_file(copy / "Dockerfile");
    replace_all(dockerfile, "@BASE@", registry_.host() + "/base/busybox:1");
    replace_all(dockerfile, "@REPO@", registry_.host() + "/base/busybox");
    std::ofstream(context / "Dockerfile") << dockerfile;
    std::ifstream args(copy / "build-args");
    for (std::string line; std::getline(args, line);)
      if (!line.empty()) build_args_ += (build_args_.empty() ? "" : ",") + line;
    return context;
  }

  std::string ref(const std::string& backend) const {
    return registry_.host() + "/corpus/" + GetParam() + "-" + backend + ":1";
  }

  ProcessResult build(const fs::path& context, const std::string& backend) {
    std::map<std::string, std::string> env{{"PLUGIN_REPO", registry_.host() + "/corpus/" + GetParam() + "-" + backend},
                                           {"PLUGIN_TAGS", "1"},
                                           {"PLUGIN_CONTEXT", context.string()},
                                           {"PLUGIN_DOCKERFILE", (context / "Dockerfile").string()},
                                           {"PLUGIN_BACKEND", backend},
                                           {"PLUGIN_INSECURE", "true"},
                                           {"PLUGIN_AUTO_LABEL", "false"},
                                           {"PLUGIN_LAYER_CACHE_DIR", "none"},
                                           {"TMPDIR", work_.path().string()}};
    if (!build_args_.empty()) env["PLUGIN_BUILD_ARGS"] = build_args_;
    if (backend == "kaniko") {
      env["PLUGIN_EXECUTOR"] = (work_.path() / "kaniko-chroot-exec").string();
      env["KANIKO_REAL_EXECUTOR"] = (peers_dir() / "kaniko-executor").string();
    }
    return run_plugin(env);
  }

  LocalRegistry registry_;
  TempDir work_{"kiln-kaniko-equivalence"};
  std::string build_args_;
};

}  // namespace

TEST_P(KanikoEquivalence, NativeBuildMatchesTheRealExecutor) {
  const std::string& name = GetParam();
  const fs::path context = make_context();

  const ProcessResult native = build(context, "native");
  ASSERT_EQ(native.exit_code, 0) << native.out << native.err;
  const ProcessResult kaniko = build(context, "kaniko");
  if (const auto fails = kaniko_fails().find(name); fails != kaniko_fails().end()) {
    EXPECT_NE(kaniko.exit_code, 0) << "Kaniko built it: take " << name << " off the list of cases it fails";
    EXPECT_NE((kaniko.out + kaniko.err).find(fails->second), std::string::npos) << kaniko.out << kaniko.err;
    return;
  }
  ASSERT_EQ(kaniko.exit_code, 0) << kaniko.out << kaniko.err;

  std::vector<Difference> found =
      differences(runtime_config(image_config(ref("native"))), runtime_config(image_config(ref("kaniko"))),
                  image_tree(ref("native"), work_.path(), "native"), image_tree(ref("kaniko"), work_.path(), "kaniko"));
  std::vector<Difference> expected;
  if (const auto listed = expected_differences().find(name); listed != expected_differences().end())
    for (const Deviation& d : listed->second) expected.push_back(d.difference);
  std::sort(found.begin(), found.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(found, expected) << "the differences between the native image and Kaniko's are not the ones listed";
}

INSTANTIATE_TEST_SUITE_P(Corpus, KanikoEquivalence, ::testing::ValuesIn(corpus_cases()),
                         [](const auto& info) { return info.param; });

}  // namespace kiln::testing
