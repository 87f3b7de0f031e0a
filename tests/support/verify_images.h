#pragma once
// The images kiln-verify's tests judge, each pushed to a real docker-registry by the tool a
// team would use: kiln-plugin (binary-on-base and RUN-less Dockerfiles) or buildah (Dockerfiles,
// RUN included). One case per way an application image goes wrong.
#include <filesystem>
#include <map>
#include <string>

namespace kiln::testing {

struct VerifyImages {
  std::string base;               ///< busybox-static, no application
  std::string good;               ///< static hello at /usr/local/app/main (kiln-plugin)
  std::string missing_binary;     ///< WORKDIR and ENTRYPOINT but no binary (buildah)
  std::string not_executable;     ///< main with mode 0644 (kiln-plugin, COPY --chmod)
  std::string wrong_architecture; ///< an arm64 ELF on an amd64 image (buildah)
  std::string dynamic_good;       ///< dynamic hello with its interpreter, libc and libm (buildah)
  std::string dynamic_missing_lib;///< the same without libm.so.6 (buildah)
  std::string whiteout_deleted;   ///< good, then `RUN rm /usr/local/app/main` (buildah: a whiteout)
  std::string opaque_directory;   ///< good, then /usr/local/app made opaque with other contents
  std::string scratch_static;     ///< FROM scratch: nothing but the static hello (kiln-plugin)
};

/// Builds and pushes every case into `registry` ("127.0.0.1:port", plain HTTP) under verify/…,
/// using `work` for contexts and buildah's storage. Throws with the tool's output on failure.
VerifyImages push_verify_images(const std::string& registry, const std::filesystem::path& work);

/// The static and dynamic hello programs the images carry (built by CMake).
std::filesystem::path hello_static_binary();
std::filesystem::path hello_dynamic_binary();

}  // namespace kiln::testing
