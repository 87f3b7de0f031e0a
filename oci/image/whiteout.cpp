#include "oci/image/whiteout.h"

namespace kiln::oci {

Whiteout whiteout_of(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string parent = slash == std::string::npos ? "" : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name == ".wh..wh..opq") return {.kind = Whiteout::Kind::opaque, .target = parent};
  if (name.starts_with(".wh."))
    return {.kind = Whiteout::Kind::deletes, .target = (parent.empty() ? "" : parent + "/") + name.substr(4)};
  return {};
}

}  // namespace kiln::oci
