#include "server/api/context_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <memory>

#include "core/error.h"

namespace kiln::server {
namespace {

using ReadArchive = std::unique_ptr<archive, decltype(&archive_read_free)>;
using WriteArchive = std::unique_ptr<archive, decltype(&archive_write_free)>;

la_ssize_t write_to_stream(archive*, void* client, const void* buffer, size_t length) {
  auto* out = static_cast<std::ostream*>(client);
  out->write(static_cast<const char*>(buffer), static_cast<std::streamsize>(length));
  return *out ? static_cast<la_ssize_t>(length) : -1;
}

}  // namespace

void unpack_context(std::string_view tar, const std::filesystem::path& into) {
  ReadArchive in(archive_read_new(), &archive_read_free);
  WriteArchive disk(archive_write_disk_new(), &archive_write_free);
  archive_read_support_format_tar(in.get());
  archive_read_support_filter_all(in.get());
  archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                 ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  if (archive_read_open_memory(in.get(), tar.data(), tar.size()) != ARCHIVE_OK)
    throw_usage(fmt::format("context upload: not a tar: {}", archive_error_string(in.get())));
  archive_entry* entry = nullptr;
  for (int r; (r = archive_read_next_header(in.get(), &entry)) != ARCHIVE_EOF;) {
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      throw_usage(fmt::format("context upload: not a tar: {}", archive_error_string(in.get())));
    const std::string name = archive_entry_pathname(entry);
    // Entries are re-rooted under `into` below (libarchive's own absolute-path guard would then
    // refuse every entry), so an absolute name is refused here; '..' is libarchive's to refuse.
    const char* link = archive_entry_hardlink(entry);
    if (name.starts_with('/') || (link && link[0] == '/'))
      throw_usage(fmt::format("context upload: entry '{}' has an absolute path", name));
    archive_entry_set_pathname(entry, (into / name).c_str());
    if (link) archive_entry_set_hardlink(entry, (into / link).c_str());
    if (archive_write_header(disk.get(), entry) != ARCHIVE_OK)
      throw_usage(fmt::format("context upload: entry '{}': {}", name, archive_error_string(disk.get())));
    const void* block;
    size_t size;
    la_int64_t offset;
    while ((r = archive_read_data_block(in.get(), &block, &size, &offset)) == ARCHIVE_OK)
      if (archive_write_data_block(disk.get(), block, size, offset) != ARCHIVE_OK)
        throw_usage(fmt::format("context upload: entry '{}': {}", name, archive_error_string(disk.get())));
    if (r != ARCHIVE_EOF) throw_usage(fmt::format("context upload: entry '{}' is truncated", name));
    archive_write_finish_entry(disk.get());
  }
}

void pack_context(const std::filesystem::path& dir, std::ostream& out) {
  WriteArchive tar(archive_write_new(), &archive_write_free);
  archive_write_set_format_pax_restricted(tar.get());
  if (archive_write_open(tar.get(), &out, nullptr, &write_to_stream, nullptr) != ARCHIVE_OK)
    throw_infra("cannot start the context tar");
  ReadArchive walk(archive_read_disk_new(), &archive_read_free);
  archive_read_disk_set_symlink_physical(walk.get());
  std::error_code ec;
  const auto root = std::filesystem::canonical(dir, ec);
  if (ec || archive_read_disk_open(walk.get(), root.c_str()) != ARCHIVE_OK)
    throw_infra(fmt::format("{}: cannot read the context", dir.string()));
  archive_entry* entry = archive_entry_new();
  const std::string prefix = root.string() + "/";
  for (int r; (r = archive_read_next_header2(walk.get(), entry)) != ARCHIVE_EOF;) {
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) break;
    archive_read_disk_descend(walk.get());
    const std::string path = archive_entry_sourcepath(entry);
    if (path == root.string()) continue;
    archive_entry_set_pathname(entry, path.substr(prefix.size()).c_str());
    archive_write_header(tar.get(), entry);
    if (archive_entry_filetype(entry) == AE_IFREG) {
      char buffer[65536];
      for (la_ssize_t n; (n = archive_read_data(walk.get(), buffer, sizeof buffer)) > 0;)
        archive_write_data(tar.get(), buffer, static_cast<size_t>(n));
    }
  }
  archive_entry_free(entry);
  archive_write_close(tar.get());
}

}  // namespace kiln::server
