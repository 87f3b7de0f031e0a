#include "tests/support/peers.h"

#include <cstdlib>

namespace kiln::testing {
namespace fs = std::filesystem;

fs::path peers_dir() {
  if (const char* env = std::getenv("KILN_PEERS_DIR"); env && *env) return env;
  const fs::path beside_checkout = fs::path(KILN_SOURCE_DIR).parent_path() / "shared" / "peers";
  if (fs::exists(beside_checkout)) return beside_checkout;
  return "/work/shared/peers";
}

bool have_real_kaniko() {
  const fs::path dir = peers_dir();
  return fs::exists(dir / "kaniko-executor") && fs::exists(dir / "kaniko-chroot-exec");
}

}  // namespace kiln::testing
