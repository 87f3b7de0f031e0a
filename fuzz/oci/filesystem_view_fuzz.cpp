// The header-only merged tree a native build consults (whiteouts applied layer by layer), fed
// tars through a memory file. Layers come from the base image: a damaged one is a
// kiln::Error, nothing else.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/unique_fd.h"
#include "layer_input.h"
#include "oci/image/filesystem_view.h"

namespace {

const char* const kPaths[] = {"", "/", "etc", "etc/passwd", "bin/sh", "a", "a/b", "a/b/c", "/a//b/", "../a"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kiln::oci::FilesystemView view;
  for (const std::string& layer : kiln::fuzz::split_layers(std::string_view(reinterpret_cast<const char*>(data), size))) {
    const kiln::UniqueFd file(memfd_create("layer", 0));
    if (!file.valid()) std::abort();
    if (write(file.get(), layer.data(), layer.size()) != static_cast<ssize_t>(layer.size())) std::abort();
    try {
      view.apply_layer("/proc/self/fd/" + std::to_string(file.get()));
    } catch (const kiln::Error&) {
      return 0;
    }
  }
  for (const char* path : kPaths) view.stat(path);
  return 0;
}
