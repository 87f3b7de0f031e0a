#include "plugin/backend/native/add_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <memory>
#include <optional>

#include "core/error.h"
#include "oci/layer/archive_handle.h"

namespace kiln::plugin {
namespace fs = std::filesystem;
namespace {

using oci::ReadArchive;

constexpr std::size_t kMaxName = 4096;

// The compressions Docker's ADD recognises (moby's archive.DetectCompression), and tar.
ReadArchive open_tar(const fs::path& file) {
  ReadArchive in(archive_read_new());
  archive_read_support_filter_gzip(in.get());
  archive_read_support_filter_bzip2(in.get());
  archive_read_support_filter_xz(in.get());
  archive_read_support_filter_zstd(in.get());
  archive_read_support_format_tar(in.get());
  if (archive_read_open_filename(in.get(), file.c_str(), 1 << 16) != ARCHIVE_OK) return nullptr;
  return in;
}

// "./a//b/" → "a/b", "/etc/x" → "etc/x" (Docker joins every name under the destination), "."
// → "". Nullopt when the name climbs above the destination.
std::optional<std::string> inside(const std::string& name) {
  std::string s = fs::path(name).lexically_normal().string();
  while (!s.empty() && s.front() == '/') s.erase(0, 1);
  if (s == ".." || s.starts_with("../")) return std::nullopt;
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s == ".") s.clear();
  return s;
}

std::string kind_of(mode_t type) {
  switch (type) {
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a FIFO";
    case AE_IFSOCK: return "a socket";
    default: return "of an unknown type";
  }
}

bool has_file_capabilities(archive_entry* entry) {
  archive_entry_xattr_reset(entry);
  const char* key = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(entry, &key, &value, &size) == ARCHIVE_OK)
    if (std::string_view(key) == "security.capability") return true;
  return false;
}

}  // namespace

bool is_tar_archive(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec) || fs::file_size(file, ec) == 0) return false;
  ReadArchive in = open_tar(file);
  if (!in) return false;
  archive_entry* entry = nullptr;
  const int r = archive_read_next_header(in.get(), &entry);
  return r == ARCHIVE_OK || r == ARCHIVE_WARN;
}

std::vector<oci::LayerEntry> unpack_archive(const fs::path& file, const std::string& name,
                                            const std::string& destination, const fs::path& scratch,
                                            ArchiveBudget& budget, const std::string& where) {
  const std::string at = fmt::format("{}: ADD {}", where, name);
  ReadArchive in = open_tar(file);
  if (!in) throw_usage(fmt::format("{}: cannot read the archive", at));
  fs::create_directories(scratch);
  const std::string root = destination == "/" ? "" : destination;

  std::vector<oci::LayerEntry> out;
  std::map<std::string, std::size_t> files;  // archive path → its entry in `out`, for hard links
  archive_entry* entry = nullptr;
  for (int r; (r = archive_read_next_header(in.get(), &entry)) != ARCHIVE_EOF;) {
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      throw_usage(fmt::format("{}: not a readable tar: {}", at, archive_error_string(in.get())));
    const char* raw = archive_entry_pathname(entry);
    const std::string entry_name = raw ? raw : "";
    if (--budget.entries < 0)
      throw_usage(fmt::format("{}: entry '{}' is past the limit of entries ADD unpacks in one build", at, entry_name));
    // Longer than Linux's PATH_MAX cannot be unpacked by tar -x either; each component costs
    // a lookup when placed, so a pax name of megabytes would cost that many per entry.
    if (entry_name.size() > kMaxName)
      throw_usage(fmt::format("{}: an entry's name is longer than {} bytes", at, kMaxName));
    const auto path = inside(entry_name);
    if (!path) throw_usage(fmt::format("{}: entry '{}' is outside the destination", at, entry_name));
    // The archive's own root ("./") leaves the destination as it is, as Docker's unpacking does.
    if (path->empty()) continue;
    const std::string base = fs::path(*path).filename().string();
    if (base.starts_with(".wh."))
      throw_usage(fmt::format("{}: entry '{}' has a whiteout name (.wh.*), which would delete files from the image",
                              at, entry_name));
    if (has_file_capabilities(entry))
      throw_usage(fmt::format("{}: entry '{}' has file capabilities (security.capability), which the native backend "
                              "does not write; build with backend: kaniko",
                              at, entry_name));

    oci::LayerEntry layer_entry{.type = oci::LayerEntry::Type::file, .path = root + "/" + *path,
                                .mode = static_cast<std::uint32_t>(archive_entry_perm(entry)) & 07777, .source = {},
                                .content = {}, .link_target = {},
                                .uid = static_cast<std::uint32_t>(archive_entry_uid(entry)),
                                .gid = static_cast<std::uint32_t>(archive_entry_gid(entry))};
    if (const char* link = archive_entry_hardlink(entry)) {
      const auto target = inside(link);
      const auto found = target ? files.find(*target) : files.end();
      if (found == files.end())
        throw_usage(fmt::format("{}: entry '{}' is a hard link to '{}', which is not a file unpacked before it", at,
                                entry_name, link));
      layer_entry = out[found->second];
      layer_entry.path = root + "/" + *path;
      files[*path] = out.size();
      out.push_back(std::move(layer_entry));
      continue;
    }
    const mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) {
      layer_entry.type = oci::LayerEntry::Type::directory;
    } else if (type == AE_IFLNK) {
      layer_entry.type = oci::LayerEntry::Type::symlink;
      const char* target = archive_entry_symlink(entry);
      layer_entry.link_target = target ? target : "";
      if (layer_entry.link_target.size() > kMaxName)
        throw_usage(fmt::format("{}: entry '{}' links to a target longer than {} bytes", at, entry_name, kMaxName));
    } else if (type == AE_IFREG) {
      layer_entry.source = scratch / fmt::format("{}", out.size());
      std::ofstream content(layer_entry.source, std::ios::binary | std::ios::trunc);
      char buffer[1 << 16];
      la_ssize_t n;
      while ((n = archive_read_data(in.get(), buffer, sizeof buffer)) > 0) {
        // Counted as unpacked, so sparse entries and lying headers are caught too.
        budget.bytes -= n;
        if (budget.bytes < 0)
          throw_usage(fmt::format("{}: entry '{}' is past the limit of bytes ADD unpacks in one build", at,
                                  entry_name));
        content.write(buffer, n);
      }
      if (n < 0) throw_usage(fmt::format("{}: entry '{}' is truncated: {}", at, entry_name, archive_error_string(in.get())));
      if (!content.flush())
        throw_infra(fmt::format("{}: cannot write {}", at, layer_entry.source.string()));
      files[*path] = out.size();
    } else {
      throw_usage(fmt::format("{}: entry '{}' is {}; the native backend unpacks files, directories and links only; "
                              "build with backend: kaniko",
                              at, entry_name, kind_of(type)));
    }
    out.push_back(std::move(layer_entry));
  }
  return out;
}

}  // namespace kiln::plugin
