#pragma once
// Content hashes of a build's source files, started early on threads of their own: an
// unchanged rebuild must hash its 50 MB binary to prove the layer is the cached one, and that
// hash can run while the base image's manifest and config are fetched instead of after.
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <string>

#include "oci/digest.h"

namespace kiln::oci {

/// SHA-256 of a file's content, read in 1 MiB pieces. Throws kiln::Error(usage) naming the
/// file when it cannot be read.
Digest hash_file_content(const std::filesystem::path& path);

class FileHashes {
 public:
  FileHashes() = default;
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

 private:
  struct Started {
    std::string identity;  ///< size, mtime (ns), inode and device when hashing began
    std::shared_future<Digest> hash;
  };
  std::mutex mutex_;
  std::map<std::string, Started> started_;
};

}  // namespace kiln::oci
