#pragma once
// Content hashes of a build's source files, started early on threads of their own: an
// unchanged rebuild must hash its 50 MB binary to prove the layer is the cached one, and that
// hash can run while the base image's manifest and config are fetched instead of after.
// With a memo directory, a hash is also remembered under the file's stat identity (size, mtime,
// ctime, inode, device: what git's index trusts), so the next build of an unchanged file does
// not read it at all.
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "oci/digest.h"

namespace kiln::oci {

/// SHA-256 of a file's content, read in 1 MiB pieces. Throws kiln::Error(usage) naming the
/// file when it cannot be read.
Digest hash_file_content(const std::filesystem::path& path);

class FileHashes {
 public:
  FileHashes() = default;
  /// Remembers hashes in `memo_dir` (created when first needed) across processes.
  explicit FileHashes(std::filesystem::path memo_dir) : memo_dir_(std::move(memo_dir)) {}
  /// Waits for hashing still running (its result, or error, is dropped).
  ~FileHashes();
  FileHashes(const FileHashes&) = delete;
  FileHashes& operator=(const FileHashes&) = delete;

  /// Starts hashing `path` on a thread of its own, unless it is already started. A file that
  /// cannot be stat'ed is left to get(), which reports it.
  void start(const std::filesystem::path& path);
  /// The hash of `path`: the one start() began when the file still has the size, mtime and
  /// inode it had then; otherwise (or when never started) computed now.
  Digest get(const std::filesystem::path& path);
  /// True when get(path) would not have to wait: the hash start() began has finished (or
  /// came from the memo). False for a file never started.
  bool ready(const std::filesystem::path& path) const;

 private:
  std::optional<Digest> remembered(const std::filesystem::path& path, const std::string& identity) const;
  void remember(const std::filesystem::path& path, const std::string& identity, const Digest& digest) const noexcept;

  std::filesystem::path memo_dir_;
  struct Started {
    std::string identity;  ///< size, mtime (ns), inode and device when hashing began
    std::shared_future<Digest> hash;
    bool from_memo = false;  ///< already remembered: nothing to write back
  };
  mutable std::mutex mutex_;
  std::map<std::string, Started> started_;
};

}  // namespace kiln::oci
