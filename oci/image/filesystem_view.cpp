#include "oci/image/filesystem_view.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "core/error.h"
#include "core/temp_dir.h"

namespace kiln::oci {
namespace {

constexpr std::string_view kWhiteout = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Removes `path` and everything below it.
void erase_tree(std::map<std::string, FileInfo>& entries, const std::string& path, bool keep_path) {
  const std::string prefix = path.empty() ? "" : path + "/";
  for (auto it = entries.lower_bound(prefix); it != entries.end() && it->first.starts_with(prefix);)
    it = entries.erase(it);
  if (!keep_path) entries.erase(path);
}

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
  std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
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
    const std::string name = base_name(path);
    if (name == kOpaque) {
      opaque.push_back(parent_of(path));
      continue;
    }
    if (name.starts_with(kWhiteout)) {
      const std::string parent = parent_of(path);
      deleted.push_back((parent.empty() ? "" : parent + "/") + name.substr(kWhiteout.size()));
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
    const Digest digest = Digest::parse(layer.at("digest").get<std::string>());
    const auto file = scratch.path() / fmt::format("layer-{}", n++);
    {
      std::ofstream out(file, std::ios::binary);
      client.get_blob_to(repository, digest, out);
    }
    view.apply_layer(file.string());
    std::filesystem::remove(file);
  }
  return view;
}

}  // namespace kiln::oci
