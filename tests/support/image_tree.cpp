#include "tests/support/image_tree.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "oci/digest.h"
#include "oci/sha256.h"
#include "tests/support/files.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace fs = std::filesystem;

std::map<std::string, std::string> file_tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    struct stat st {};
    ::lstat(it->path().c_str(), &st);
    const std::string owner = fmt::format("{}:{}", st.st_uid, st.st_gid);
    std::string what;
    if (S_ISLNK(st.st_mode)) {
      what = fmt::format("l {} -> {}", owner, fs::read_symlink(it->path()).string());
    } else if (S_ISDIR(st.st_mode)) {
      what = fmt::format("d {:o} {}", st.st_mode & 07777, owner);
    } else {
      const std::string digest = oci::Sha256::of(read_file(it->path())).hex().substr(0, 12);
      what = fmt::format("{} {:o} {} {} {}", S_ISREG(st.st_mode) ? "f" : "special", st.st_mode & 07777, owner,
                         st.st_size, digest);
    }
    // Lexically: fs::relative would follow a symlink and file it under its target's name.
    out[it->path().lexically_relative(root).string()] = what;
  }
  return out;
}

std::map<std::string, std::string> image_tree(const std::string& reference, const fs::path& work,
                                              const std::string& name) {
  const fs::path layout = work / ("layout-" + name), bundle = work / ("bundle-" + name);
  run_ok({"skopeo", "copy", "-q", "--src-tls-verify=false", "docker://" + reference, "oci:" + layout.string() + ":x"});
  run_ok({"umoci", "unpack", "--image", layout.string() + ":x", bundle.string()});
  return file_tree(bundle / "rootfs");
}

oci::Json image_config(const std::string& reference) {
  return oci::Json::parse(run_ok({"skopeo", "inspect", "--config", "--tls-verify=false", "docker://" + reference}));
}

}  // namespace kiln::testing
