#include "server/api/context_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "core/error.h"
#include "oci/layer/archive_handle.h"

namespace kiln::server {
namespace {

using oci::ReadArchive;
using oci::WriteArchive;

la_ssize_t write_to_stream(archive*, void* client, const void* buffer, size_t length) {
  auto* out = static_cast<std::ostream*>(client);
  out->write(static_cast<const char*>(buffer), static_cast<std::streamsize>(length));
  return *out ? static_cast<la_ssize_t>(length) : -1;
}

// libarchive pulls the upload through this; an exception of the reader must not cross
// libarchive's C frames, so it is kept and rethrown once libarchive has given up.
struct Upload {
  const ReadChunk& read;
  std::exception_ptr failure;
  char buffer[1 << 16];
};

la_ssize_t read_upload(archive*, void* client, const void** block) {
  auto* upload = static_cast<Upload*>(client);
  *block = upload->buffer;
  try {
    return static_cast<la_ssize_t>(upload->read(upload->buffer, sizeof upload->buffer));
  } catch (...) {
    upload->failure = std::current_exception();
    return -1;
  }
}

std::string kind_of(mode_t type) {
  switch (type) {
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a FIFO";
    case AE_IFSOCK: return "a socket";
    default: return "not a file, directory or link";
  }
}

bool climbs_out(const std::string& relative) {
  const std::string normal = std::filesystem::path(relative).lexically_normal().string();
  return normal == ".." || normal.starts_with("../");
}

}  // namespace

void unpack_context(const ReadChunk& read, const std::filesystem::path& into, const UnpackLimits& limits) {
  Upload upload{.read = read, .failure = nullptr, .buffer = {}};
  ReadArchive in(archive_read_new());
  WriteArchive disk(archive_write_disk_new());
  archive_read_support_format_tar(in.get());
  archive_read_support_filter_all(in.get());
  // No ARCHIVE_EXTRACT_OWNER: every file belongs to the server's user.
  archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                 ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  const auto fail = [&](const std::string& message) {
    if (upload.failure) std::rethrow_exception(upload.failure);
    throw_usage(message);
  };
  if (archive_read_open(in.get(), &upload, nullptr, &read_upload, nullptr) != ARCHIVE_OK)
    fail(fmt::format("context upload: not a tar: {}", archive_error_string(in.get())));
  std::int64_t entries = 0, declared = 0, written = 0;
  archive_entry* entry = nullptr;
  for (int r; (r = archive_read_next_header(in.get(), &entry)) != ARCHIVE_EOF;) {
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) fail(fmt::format("context upload: not a tar: {}", archive_error_string(in.get())));
    const std::string name = archive_entry_pathname(entry);
    if (++entries > limits.max_entries)
      throw_usage(fmt::format("context upload: entry '{}' is one more than the limit of {} entries (max_context_entries)",
                              name, limits.max_entries));
    // Entries are re-rooted under `into` below (libarchive's own absolute-path guard would then
    // refuse every entry), so an absolute name is refused here; '..' is libarchive's to refuse.
    const char* link = archive_entry_hardlink(entry);
    if (name.starts_with('/') || (link && link[0] == '/'))
      throw_usage(fmt::format("context upload: entry '{}' has an absolute path", name));
    if (link && climbs_out(link))
      throw_usage(fmt::format("context upload: entry '{}' links to '{}', outside the context", name, link));
    const mode_t type = archive_entry_filetype(entry);
    if (!link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
      throw_usage(fmt::format("context upload: entry '{}' is {}; a build context holds files, directories and links only",
                              name, kind_of(type)));
    // A setuid file unpacked by a root server would be a setuid-root program for anyone who reaches it.
    archive_entry_set_perm(entry, archive_entry_perm(entry) & 0777);
    if (type == AE_IFREG && archive_entry_size_is_set(entry)) {
      declared += archive_entry_size(entry);
      if (declared > limits.max_bytes)
        throw_usage(fmt::format("context upload: entry '{}' ({} bytes) takes the unpacked context past the limit of {} "
                                "bytes (max_context_bytes)",
                                name, archive_entry_size(entry), limits.max_bytes));
    }
    archive_entry_set_pathname(entry, (into / name).c_str());
    if (link) archive_entry_set_hardlink(entry, (into / link).c_str());
    if (archive_write_header(disk.get(), entry) != ARCHIVE_OK)
      throw_usage(fmt::format("context upload: entry '{}': {}", name, archive_error_string(disk.get())));
    const void* block;
    size_t size;
    la_int64_t offset;
    while ((r = archive_read_data_block(in.get(), &block, &size, &offset)) == ARCHIVE_OK) {
      // Sparse entries declare less than they reach: count where the data ends, too.
      written += static_cast<std::int64_t>(size);
      if (written > limits.max_bytes || offset + static_cast<la_int64_t>(size) > limits.max_bytes)
        throw_usage(fmt::format("context upload: entry '{}' takes the unpacked context past the limit of {} bytes "
                                "(max_context_bytes)",
                                name, limits.max_bytes));
      if (archive_write_data_block(disk.get(), block, size, offset) != ARCHIVE_OK)
        throw_usage(fmt::format("context upload: entry '{}': {}", name, archive_error_string(disk.get())));
    }
    if (r != ARCHIVE_EOF) fail(fmt::format("context upload: entry '{}' is truncated", name));
    archive_write_finish_entry(disk.get());
  }
  if (archive_write_close(disk.get()) != ARCHIVE_OK)
    throw_usage(fmt::format("context upload: {}", archive_error_string(disk.get())));
}

void unpack_context(std::string_view tar, const std::filesystem::path& into, const UnpackLimits& limits) {
  std::size_t at = 0;
  unpack_context(
      [&](char* buffer, std::size_t size) {
        const std::size_t n = std::min(size, tar.size() - at);
        std::memcpy(buffer, tar.data() + at, n);
        at += n;
        return n;
      },
      into, limits);
}

void pack_context(const std::filesystem::path& dir, std::ostream& out) {
  WriteArchive tar(archive_write_new());
  archive_write_set_format_pax_restricted(tar.get());
  if (archive_write_open(tar.get(), &out, nullptr, &write_to_stream, nullptr) != ARCHIVE_OK)
    throw_infra("cannot start the context tar");
  ReadArchive walk(archive_read_disk_new());
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
