#include "tests/support/verify_images.h"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

#include "oci/credentials/credential.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace fs = std::filesystem;
namespace {

void write_file(const fs::path& path, const std::string& content, fs::perms mode = fs::perms(0644)) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
  fs::permissions(path, mode);
}

std::string read_binary(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A 64-bit little-endian ELF header for AArch64 (e_machine 183): all kiln-verify needs to see
// to call it the wrong architecture; nothing here can run it.
std::string arm64_elf() {
  std::string header(64, '\0');
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
  for (std::size_t i = 0; i < sizeof ident; ++i) header[i] = static_cast<char>(ident[i]);
  header[16] = 2;    // ET_EXEC
  header[18] = static_cast<char>(183);  // EM_AARCH64
  header[20] = 1;    // EV_CURRENT
  header[52] = 64;   // e_ehsize
  return header + std::string(4096, '\0');
}

class Builder {
 public:
  Builder(std::string registry, fs::path work) : registry_(std::move(registry)), work_(std::move(work)) {}

  std::string ref(const std::string& name) const { return registry_ + "/verify/" + name + ":1"; }

  // kiln-plugin, as a CI step runs it.
  void plugin(const std::string& name, std::map<std::string, std::string> env) const {
    env["PLUGIN_REPO"] = registry_ + "/verify/" + name;
    env["PLUGIN_TAGS"] = "1";
    env["PLUGIN_INSECURE"] = "true";
    env["DOCKER_CONFIG"] = (work_ / "docker").string();
    fs::create_directories(work_ / "docker");
    const ProcessResult r = run_plugin(env);
    if (r.exit_code != 0) throw std::runtime_error(fmt::format("kiln-plugin for {} exited {}: {}{}", name, r.exit_code, r.err, r.out));
  }

  void plugin_dockerfile(const std::string& name, const std::string& dockerfile,
                         const std::map<std::string, std::pair<std::string, fs::perms>>& files) const {
    const fs::path context = work_ / "ctx" / name;
    write_file(context / "Dockerfile", dockerfile);
    for (const auto& [path, file] : files) write_file(context / path, file.first, file.second);
    plugin(name, {{"PLUGIN_CONTEXT", context.string()}, {"PLUGIN_DOCKERFILE", (context / "Dockerfile").string()},
                  {"PLUGIN_BACKEND", "native"}});
  }

  // buildah bud with its own storage under work_, pushed over plain HTTP.
  void buildah(const std::string& name, const std::string& dockerfile, const std::map<std::string, fs::path>& copies) const {
    const fs::path context = work_ / "ctx" / name;
    write_file(context / "Dockerfile", dockerfile);
    for (const auto& [target, source] : copies) {
      fs::create_directories((context / target).parent_path());
      fs::copy_file(fs::canonical(source), context / target, fs::copy_options::overwrite_existing);
    }
    const std::string storage = (work_ / "buildah").string();
    const std::vector<std::string> global{"buildah", "--root", storage + "/root", "--runroot", storage + "/run",
                                          "--storage-driver", "vfs"};
    auto with = [&](std::vector<std::string> args) {
      std::vector<std::string> argv = global;
      argv.insert(argv.end(), args.begin(), args.end());
      return argv;
    };
    ProcessOptions options;
    options.timeout = std::chrono::seconds(180);
    run_ok(with({"bud", "--isolation", "chroot", "--tls-verify=false", "--format", "oci", "-q", "-t",
                 "localhost/kiln-verify-" + name + ":1", context.string()}),
           options);
    run_ok(with({"push", "--tls-verify=false", "localhost/kiln-verify-" + name + ":1", "docker://" + ref(name)}), options);
  }

 private:
  std::string registry_;
  fs::path work_;
};

}  // namespace

fs::path hello_static_binary() { return KILN_HELLO_BINARY; }
fs::path hello_dynamic_binary() { return KILN_HELLO_DYNAMIC_BINARY; }

VerifyImages push_verify_images(const std::string& registry, const fs::path& work) {
  oci::RegistryClient client(registry, std::make_shared<oci::AnonymousKeychain>(), oci::RegistryOptions{.insecure = true});
  push_busybox_base(client, {.repository = "verify/base", .tag = "1"});
  Builder b(registry, work);
  VerifyImages images;
  images.base = b.ref("base");
  const std::string app = "WORKDIR /usr/local/app\nENTRYPOINT [\"/usr/local/app/main\"]\n";

  b.plugin("good", {{"PLUGIN_BASE_IMAGE", images.base}, {"PLUGIN_BINARY", hello_static_binary().string()}});
  images.good = b.ref("good");

  b.buildah("missing", "FROM " + images.base + "\n" + app, {});
  images.missing_binary = b.ref("missing");

  b.plugin_dockerfile("notexec", "FROM " + images.base + "\nCOPY --chmod=0644 main /usr/local/app/main\n" + app,
                      {{"main", {"#!/bin/sh\necho not run\n", fs::perms(0755)}}});
  images.not_executable = b.ref("notexec");

  // kiln-plugin refuses to put an arm64 binary on an amd64 base; a Dockerfile builder does not.
  const fs::path arm64 = work / "arm64-main";
  write_file(arm64, arm64_elf(), fs::perms(0755));
  b.buildah("arm64", "FROM " + images.base + "\nCOPY main /usr/local/app/main\n" + app, {{"main", arm64}});
  images.wrong_architecture = b.ref("arm64");

  // The host's glibc: the interpreter where PT_INTERP names it, libc and libm where the
  // multiarch default search path finds them.
  const std::map<std::string, fs::path> glibc = {
      {"ld.so", "/lib64/ld-linux-x86-64.so.2"},
      {"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"},
      {"libm.so.6", "/lib/x86_64-linux-gnu/libm.so.6"},
      {"main", hello_dynamic_binary()}};
  const std::string dynamic_prefix = "FROM " + images.base +
                                     "\nCOPY ld.so /lib64/ld-linux-x86-64.so.2\n"
                                     "COPY libc.so.6 /lib/x86_64-linux-gnu/libc.so.6\n"
                                     "COPY main /usr/local/app/main\n";
  b.buildah("dynamic", dynamic_prefix + "COPY libm.so.6 /lib/x86_64-linux-gnu/libm.so.6\n" + app, glibc);
  images.dynamic_good = b.ref("dynamic");
  b.buildah("dynamic-nolibm", dynamic_prefix + app, glibc);
  images.dynamic_missing_lib = b.ref("dynamic-nolibm");

  b.buildah("whiteout", "FROM " + images.good + "\nRUN rm /usr/local/app/main\n", {});
  images.whiteout_deleted = b.ref("whiteout");

  // An opaque marker is a file like any other to a Dockerfile builder, so COPY puts one in a
  // layer exactly where a rebuilt directory would have it.
  b.plugin_dockerfile("opaque",
                      "FROM " + images.good + "\nCOPY .wh..wh..opq notes.txt /usr/local/app/\n",
                      {{".wh..wh..opq", {"", fs::perms(0644)}}, {"notes.txt", {"no binary here\n", fs::perms(0644)}}});
  images.opaque_directory = b.ref("opaque");

  b.plugin_dockerfile("scratch", "FROM scratch\nCOPY main /usr/local/app/main\n" + app,
                      {{"main", {read_binary(hello_static_binary()), fs::perms(0755)}}});
  images.scratch_static = b.ref("scratch");
  return images;
}

}  // namespace kiln::testing
