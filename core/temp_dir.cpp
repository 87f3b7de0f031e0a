#include "core/temp_dir.h"

#include <cstdlib>
#include <string>
#include <system_error>

#include "core/error.h"

namespace kiln {

TempDir::TempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  if (!mkdtemp(templ.data())) throw_infra("cannot create a temporary directory in " + templ);
  path_ = templ;
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace kiln
