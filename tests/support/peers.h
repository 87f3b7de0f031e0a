#pragma once
// Where the real peers live (the Kaniko executor v1.19.0, kaniko-chroot-exec, crane): beside the
// checkout in ../shared/peers on the project's machines and in CI, or wherever KILN_PEERS_DIR
// says. Tests that need them skip, naming the directory, when it is absent.
#include <filesystem>

namespace kiln::testing {

/// KILN_PEERS_DIR when set; else ../shared/peers beside the source tree; else /work/shared/peers.
std::filesystem::path peers_dir();

/// True when peers_dir() holds the executor and kaniko-chroot-exec.
bool have_real_kaniko();

}  // namespace kiln::testing
