#include "oci/image/filesystem_view.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "core/error.h"
#include "oci/image/manifest_edit.h"
#include "core/temp_dir.h"
#include "oci/image/whiteout.h"
#include "oci/layer/archive_handle.h"

namespace kiln::oci {
namespace {

}  // namespace

std::string normalise_image_path(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(i, end - i);
    if (!part.empty() && part != ".") {
      if (part == "..") {
        auto slash = out.rfind('/');
        out.erase(slash == std::string::npos ? 0 : slash);
      } else {
        if (!out.empty()) out += '/';
        out += part;
      }
    }
    i = end;
  }
  return out;
}

void FilesystemView::apply_layer(const std::string& blob_path) {
  ReadArchive a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), blob_path.c_str(), 1 << 20) != ARCHIVE_OK)
    throw_infra(fmt::format("cannot read layer {}: {}", blob_path, archive_error_string(a.get())));
  // A layer's whiteouts act on the layers below it only, so they are applied before its
  // own entries are added.
  std::vector<std::pair<std::string, FileInfo>> added;
  std::vector<std::string> deleted, opaque;
  archive_entry* e = nullptr;
  int r;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    const char* raw = archive_entry_pathname(e);
    const std::string path = normalise_image_path(raw ? raw : "");
    if (path.empty()) continue;
    if (const Whiteout w = whiteout_of(path); w.kind != Whiteout::Kind::none) {
      (w.kind == Whiteout::Kind::opaque ? opaque : deleted).push_back(w.target);
      continue;
    }
    FileInfo info{.type = FileInfo::Type::other, .mode = static_cast<std::uint32_t>(archive_entry_perm(e)),
                  .uid = static_cast<std::uint32_t>(archive_entry_uid(e)),
                  .gid = static_cast<std::uint32_t>(archive_entry_gid(e)), .size = archive_entry_size(e),
                  .link_target = {}};
    switch (archive_entry_filetype(e)) {
      case AE_IFREG: info.type = FileInfo::Type::file; break;
      case AE_IFDIR: info.type = FileInfo::Type::directory; break;
      case AE_IFLNK:
        info.type = FileInfo::Type::symlink;
        info.link_target = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
        break;
      default: break;
    }
    if (const char* hard = archive_entry_hardlink(e)) {
      info.type = FileInfo::Type::hardlink;
      info.link_target = hard;
    }
    added.emplace_back(path, std::move(info));
  }
  if (r != ARCHIVE_EOF) throw_infra(fmt::format("cannot read layer {}: {}", blob_path, archive_error_string(a.get())));
  for (const auto& dir : opaque) erase_tree(entries_, dir, true);
  for (const auto& path : deleted) erase_tree(entries_, path, false);
  for (auto& [path, info] : added) {
    // A non-directory replaces whatever was there, including a directory's contents.
    if (info.type != FileInfo::Type::directory) erase_tree(entries_, path, true);
    entries_[path] = std::move(info);
  }
}

void FilesystemView::put(std::string_view path, const FileInfo& info) { entries_[normalise_image_path(path)] = info; }

std::optional<FileInfo> FilesystemView::stat(std::string_view path) const {
  const std::string key = normalise_image_path(path);
  if (key.empty()) return FileInfo{.type = FileInfo::Type::directory, .mode = 0755};
  auto it = entries_.find(key);
  if (it != entries_.end()) return it->second;
  // A layer may hold "a/b/c" without "a/b": the directory exists, as extractors create it.
  auto below = entries_.lower_bound(key + "/");
  if (below != entries_.end() && below->first.starts_with(key + "/"))
    return FileInfo{.type = FileInfo::Type::directory, .mode = 0755};
  return std::nullopt;
}

FilesystemView FilesystemView::of_image(RegistryClient& client, const std::string& repository, const Json& manifest) {
  FilesystemView view;
  TempDir scratch("kiln-view");
  int n = 0;
  for (const Json& layer : manifest.value("layers", Json::array())) {
    const Descriptor blob = Descriptor::from_json(layer, "layer of " + repository);
    const auto file = scratch.path() / fmt::format("layer-{}", n++);
    {
      std::ofstream out(file, std::ios::binary);
      client.get_blob_to(repository, blob.digest, blob.size, out);
    }
    view.apply_layer(file.string());
    std::filesystem::remove(file);
  }
  return view;
}

}  // namespace kiln::oci
