#include "inspect/directory_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include <openssl/evp.h>

#include "core/error.h"

namespace kiln::inspect {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

FileStat::Type type_of(mode_t mode) {
  if (S_ISDIR(mode)) return FileStat::Type::directory;
  if (S_ISLNK(mode)) return FileStat::Type::symlink;
  if (S_ISCHR(mode)) return FileStat::Type::char_device;
  if (S_ISBLK(mode)) return FileStat::Type::block_device;
  if (S_ISFIFO(mode)) return FileStat::Type::fifo;
  if (S_ISSOCK(mode)) return FileStat::Type::socket;
  return FileStat::Type::file;
}

// pread that retries interrupted and short reads; returns bytes read, -1 on error.
ssize_t read_at(int fd, char* buffer, std::size_t length, std::uint64_t offset) {
  std::size_t total = 0;
  while (total < length) {
    const ssize_t n = ::pread(fd, buffer + total, length - total, static_cast<off_t>(offset + total));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(total);
}

struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

}  // namespace

DirectoryTree::DirectoryTree(const std::filesystem::path& root)
    : root_(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {
  if (!root_) throw_infra("cannot open image root " + root.string() + ": " + std::strerror(errno));
}

std::optional<DirectoryTree::Location> DirectoryTree::locate(std::string_view path) const {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const auto part = path.substr(start, slash - start);
    // ".." would climb out of the root fd; callers hand in resolved paths, which have none.
    if (part == "..") return std::nullopt;
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = slash + 1;
  }
  UniqueFd directory(::fcntl(root_.get(), F_DUPFD_CLOEXEC, 0));
  if (!directory) return std::nullopt;
  if (parts.empty()) return Location{std::move(directory), "."};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    // O_NOFOLLOW | O_DIRECTORY: a symlink here fails with ENOTDIR/ELOOP instead of being followed.
    UniqueFd next(::openat(directory.get(), parts[i].c_str(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
    if (!next) return std::nullopt;
    directory = std::move(next);
  }
  return Location{std::move(directory), parts.back()};
}

std::optional<FileStat> DirectoryTree::lstat(std::string_view path) const {
  const auto location = locate(path);
  if (!location) return std::nullopt;
  struct stat st {};
  if (::fstatat(location->directory.get(), location->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return std::nullopt;
  FileStat out{.type = type_of(st.st_mode),
               .mode = static_cast<std::uint32_t>(st.st_mode & 07777),
               .uid = st.st_uid,
               .gid = st.st_gid,
               .size = static_cast<std::uint64_t>(st.st_size)};
  if (out.type == FileStat::Type::symlink) {
    // st_size can be 0 (procfs) or stale: a buffer of PATH_MAX is enough for any target.
    std::string target(std::max<std::size_t>(static_cast<std::size_t>(std::max<off_t>(st.st_size, 0)), 4096) + 1, '\0');
    const ssize_t n = ::readlinkat(location->directory.get(), location->name.c_str(), target.data(), target.size());
    if (n < 0) return std::nullopt;
    target.resize(static_cast<std::size_t>(n));
    out.link_target = std::move(target);
  }
  return out;
}

std::vector<std::string> DirectoryTree::list(std::string_view directory) const {
  const auto location = locate(directory);
  if (!location) return {};
  UniqueFd fd(::openat(location->directory.get(), location->name.c_str(),
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return {};
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(fd.get()), &::closedir);
  if (!dir) return {};
  fd.release();  // owned by `dir` now
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir.get())) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

UniqueFd DirectoryTree::open_regular_file(std::string_view path) const {
  const auto location = locate(path);
  if (!location) return {};
  // O_NONBLOCK: opening a FIFO must not hang the probe; it is refused just below anyway.
  UniqueFd fd(::openat(location->directory.get(), location->name.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  return fd;
}

std::optional<std::string> DirectoryTree::read(std::string_view path, std::uint64_t max_bytes) const {
  return read_range(path, 0, max_bytes);
}

std::optional<std::string> DirectoryTree::read_range(std::string_view path, std::uint64_t offset,
                                                     std::uint64_t length) const {
  const UniqueFd fd = open_regular_file(path);
  if (!fd) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::nullopt;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (offset >= size) return std::string();
  // Never allocate more than the file holds, whatever `length` says.
  std::string bytes(static_cast<std::size_t>(std::min(length, size - offset)), '\0');
  const ssize_t n = read_at(fd.get(), bytes.data(), bytes.size(), offset);
  if (n < 0) return std::nullopt;
  bytes.resize(static_cast<std::size_t>(n));
  return bytes;
}

std::optional<std::string> DirectoryTree::sha256(std::string_view path) const {
  const UniqueFd fd = open_regular_file(path);
  if (!fd) return std::nullopt;
  std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) return std::nullopt;
  std::array<char, kChunk> buffer{};
  for (std::uint64_t offset = 0;;) {
    const ssize_t n = read_at(fd.get(), buffer.data(), buffer.size(), offset);
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    if (EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(n)) != 1) return std::nullopt;
    offset += static_cast<std::uint64_t>(n);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  if (EVP_DigestFinal_ex(context.get(), digest.data(), &digest_size) != 1) return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < digest_size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace kiln::inspect
