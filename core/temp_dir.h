#pragma once
// A directory that exists for the lifetime of the object and is removed with its contents.
#include <filesystem>

namespace kiln {

class TempDir {
 public:
  /// Creates a fresh directory under $TMPDIR (or /tmp) whose name starts with `prefix`.
  explicit TempDir(const std::string& prefix = "kiln");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kiln
