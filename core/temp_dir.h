#pragma once
// A directory that exists for the lifetime of the object and is removed with its contents. Its
// name says which process owns it, so what a killed process leaves behind (SIGKILL, the OOM
// killer: no destructor runs, no signal handler either) is recognised and removed by a later
// run: <prefix>.pid<pid>-<start time>-<pid namespace>.XXXXXX under $TMPDIR.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/stop_signals.h"

namespace kiln {

class TempDir {
 public:
  /// Creates a fresh directory (mode 0700) under $TMPDIR (or /tmp) whose name starts with
  /// `prefix`; a stop signal removes it too (core/stop_signals.h).
  explicit TempDir(const std::string& prefix = "kiln");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::optional<stop_signals::PathId> registration_;
};

/// Which process made a temporary directory: enough to tell it is gone even after its pid was
/// reused (the start time differs) and to leave alone what another pid namespace's process
/// made (a container sharing $TMPDIR: the same pid there is someone else).
struct TempDirOwner {
  std::int64_t pid = 0;
  std::uint64_t start_time = 0;     ///< /proc/<pid>/stat field 22, clock ticks since boot
  std::uint64_t pid_namespace = 0;  ///< inode of /proc/self/ns/pid
  friend bool operator==(const TempDirOwner&, const TempDirOwner&) = default;
};

/// The owner a TempDir's name encodes, or nullopt when `name` is not one of ours.
std::optional<TempDirOwner> temp_dir_owner(const std::string& name);

/// Removes the directories directly under `base` (default: $TMPDIR or /tmp) that TempDir made
/// for a process of this pid namespace that is gone. Only names of TempDir's pattern, only
/// real directories (not links) owned by our effective uid, removed without following links.
/// Returns the paths removed.
std::vector<std::filesystem::path> remove_abandoned_temp_dirs(const std::filesystem::path& base = {});

}  // namespace kiln
