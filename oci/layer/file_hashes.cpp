#include "oci/layer/file_hashes.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/unique_fd.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

// What changes when a file is rewritten (the test git's index relies on): a hash taken under
// another identity is not trusted. ctime is in it because no one can set it back: `touch -d`
// restores an mtime, never a ctime.
std::optional<std::string> identity_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return fmt::format("{}:{}.{}:{}.{}:{}:{}", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ctim.tv_sec,
                     st.st_ctim.tv_nsec, st.st_ino, st.st_dev);
}

std::string memo_name(const std::filesystem::path& path, const std::string& identity) {
  Sha256 name;
  const std::string absolute = std::filesystem::absolute(path).lexically_normal().string();
  name.update(absolute.data(), absolute.size());
  name.update("\0", 1);
  name.update(identity.data(), identity.size());
  return name.finish().hex();
}

}  // namespace

Digest hash_file_content(const std::filesystem::path& path) {
  const UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  const int fd = file.get();
  if (fd < 0) throw_usage(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
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

std::optional<Digest> FileHashes::remembered(const std::filesystem::path& path, const std::string& identity) const {
  if (memo_dir_.empty()) return std::nullopt;
  std::ifstream in(memo_dir_ / memo_name(path, identity));
  std::string text;
  if (!(in >> text)) return std::nullopt;
  try {
    return Digest::parse(text);
  } catch (const std::exception&) {
    return std::nullopt;  // a damaged memo only costs a hash
  }
}

void FileHashes::remember(const std::filesystem::path& path, const std::string& identity,
                          const Digest& digest) const noexcept {
  if (memo_dir_.empty()) return;
  try {
    std::filesystem::create_directories(memo_dir_);
    write_file_atomically(memo_dir_ / memo_name(path, identity), digest.to_string() + "\n");
  } catch (const std::exception& e) {
    spdlog::debug("file hash memo not written for {}: {}", path.string(), e.what());
  }
}

void FileHashes::start(const std::filesystem::path& path) {
  std::lock_guard lock(mutex_);
  if (started_.contains(path.string())) return;
  auto identity = identity_of(path);
  if (!identity) return;
  std::shared_future<Digest> hash;
  const std::optional<Digest> known = remembered(path, *identity);
  if (known) {
    std::promise<Digest> ready;
    ready.set_value(*known);
    hash = ready.get_future().share();
  } else {
    hash = std::async(std::launch::async, [path] { return hash_file_content(path); }).share();
  }
  started_.emplace(path.string(),
                   Started{.identity = std::move(*identity), .hash = std::move(hash), .from_memo = known.has_value()});
}

bool FileHashes::ready(const std::filesystem::path& path) const {
  std::lock_guard lock(mutex_);
  const auto it = started_.find(path.string());
  return it != started_.end() && it->second.hash.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
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
  Started& started = started_.at(path.string());
  if (identity_of(path) != started.identity) return hash_file_content(path);
  if (!started.from_memo) {
    remember(path, started.identity, digest);
    started.from_memo = true;  // remembered now: the next get() writes nothing
  }
  return digest;
}

}  // namespace kiln::oci
