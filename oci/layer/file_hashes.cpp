#include "oci/layer/file_hashes.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "core/error.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

// What changes when a file is rewritten (the test git's index and ninja rely on): a hash taken
// under another identity is not trusted.
std::optional<std::string> identity_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return fmt::format("{}:{}.{}:{}:{}", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ino, st.st_dev);
}

}  // namespace

Digest hash_file_content(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_usage(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } close_fd{fd};
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Sha256 hash;
  std::vector<char> buffer(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_usage(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    if (n == 0) break;
    hash.update(buffer.data(), static_cast<std::size_t>(n));
  }
  return hash.finish();
}

FileHashes::~FileHashes() {
  for (auto& [path, started] : started_) started.hash.wait();
}

void FileHashes::start(const std::filesystem::path& path) {
  auto identity = identity_of(path);
  if (!identity) return;
  std::lock_guard lock(mutex_);
  if (started_.contains(path.string())) return;
  started_.emplace(path.string(),
                   Started{.identity = std::move(*identity),
                           .hash = std::async(std::launch::async, [path] { return hash_file_content(path); }).share()});
}

Digest FileHashes::get(const std::filesystem::path& path) {
  std::shared_future<Digest> hash;
  {
    std::lock_guard lock(mutex_);
    if (auto it = started_.find(path.string()); it != started_.end() && identity_of(path) == it->second.identity)
      hash = it->second.hash;
  }
  if (!hash.valid()) return hash_file_content(path);
  const Digest digest = hash.get();
  // A rewrite while it was being hashed leaves a hash of neither version.
  std::lock_guard lock(mutex_);
  if (identity_of(path) != started_.at(path.string()).identity) return hash_file_content(path);
  return digest;
}

}  // namespace kiln::oci
