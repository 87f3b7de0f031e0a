#include "verify/cli/image_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <string>

#include "core/error.h"
#include "oci/image/docker_archive.h"
#include "oci/image/image_sink.h"
#include "oci/layer/archive_handle.h"

namespace kiln::verify {
namespace {

namespace fs = std::filesystem;

oci::ReadArchive open_tar(const fs::path& file) {
  oci::ReadArchive a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), file.c_str(), 1 << 20) != ARCHIVE_OK)
    throw_usage(fmt::format("setting image: cannot read {} as a tar archive: {}", file.string(), archive_error_string(a.get())));
  return a;
}

std::string entry_name(archive_entry* entry) {
  std::string name = fs::path(archive_entry_pathname(entry)).lexically_normal().string();
  if (name.starts_with("./")) name = name.substr(2);
  return name;
}

enum class Kind { none, oci, docker };

Kind kind_of(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return Kind::none;
  oci::ReadArchive a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), file.c_str(), 1 << 20) != ARCHIVE_OK) return Kind::none;
  Kind kind = Kind::none;
  archive_entry* entry = nullptr;
  for (int n = 0; n < 100000 && archive_read_next_header(a.get(), &entry) == ARCHIVE_OK; ++n) {
    const std::string name = entry_name(entry);
    if (name == "oci-layout") return Kind::oci;
    if (name == "manifest.json") kind = Kind::docker;
  }
  return kind;
}

void extract_layout(const fs::path& file, const fs::path& layout, const ImageArchiveLimits& limits) {
  auto a = open_tar(file);
  archive_entry* entry = nullptr;
  std::uint64_t bytes = 0, entries = 0;
  int r;
  while ((r = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    if (++entries > limits.max_entries)
      throw_usage(fmt::format("setting image: {} has more than {} entries", file.string(), limits.max_entries));
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const std::string name = entry_name(entry);
    if (name.empty() || name.starts_with("..") || name.starts_with("/"))
      throw_usage(fmt::format("setting image: {}: entry '{}' is outside the archive", file.string(), name));
    const fs::path out_path = layout / name;
    fs::create_directories(out_path.parent_path());
    std::ofstream out(out_path, std::ios::binary);
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    while (archive_read_data_block(a.get(), &block, &size, &offset) == ARCHIVE_OK) {
      bytes += size;
      if (bytes > limits.max_bytes)
        throw_usage(fmt::format("setting image: {} unpacks to more than {} bytes", file.string(), limits.max_bytes));
      out.write(static_cast<const char*>(block), static_cast<std::streamsize>(size));
    }
    if (!out) throw_infra(fmt::format("cannot extract {} from {}", name, file.string()));
  }
  if (r != ARCHIVE_EOF)
    throw_usage(fmt::format("setting image: cannot read {}: {}", file.string(), archive_error_string(a.get())));
}

}  // namespace

bool is_image_archive(const fs::path& file) { return kind_of(file) != Kind::none; }

void layout_from_image_archive(const fs::path& file, const fs::path& layout, const ImageArchiveLimits& limits) {
  switch (kind_of(file)) {
    case Kind::oci:
      extract_layout(file, layout, limits);
      return;
    case Kind::docker: {
      const auto sink = oci::layout_sink(layout);
      const oci::StoredImage image = oci::read_docker_archive(file, *sink);
      sink->put_manifest("image", image.top.media_type, image.top.bytes);
      return;
    }
    case Kind::none:
      break;
  }
  throw_usage(fmt::format("setting image: {} is neither a docker-archive (manifest.json) nor an OCI archive (oci-layout)",
                          file.string()));
}

}  // namespace kiln::verify
