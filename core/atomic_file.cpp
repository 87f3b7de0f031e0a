#include "core/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"

namespace kiln {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& temp, int error) {
  ::unlink(temp.c_str());
  throw_infra(fmt::format("cannot write {}: {}", path.string(), std::strerror(error)));
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content, mode_t mode) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string temp = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // created 0600
  if (fd < 0) throw_infra(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
  if ((mode & 07777) != 0600 && ::fchmod(fd, mode & 07777) != 0) {
    const int saved = errno;
    ::close(fd);
    fail(path, temp, saved);
  }
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      fail(path, temp, saved);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) fail(path, temp, errno);
}

}  // namespace kiln
