#include "oci/image/image_files.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <memory>

#include "core/error.h"
#include "oci/image/manifest_edit.h"
#include "oci/image/filesystem_view.h"
#include "oci/image/whiteout.h"
#include "oci/layer/archive_handle.h"

namespace kiln::oci {
namespace {

bool under(const std::string& path, const std::string& prefix) {
  return prefix.empty() || path == prefix || path.starts_with(prefix + "/");
}

bool wanted(const std::string& path, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes)
    if (under(path, p)) return true;
  return false;
}

// One layer on top of `entries`: whiteouts act on the layers below, then its own entries land.
void apply_layer(const std::filesystem::path& blob, const std::vector<std::string>& prefixes,
                 const std::filesystem::path& into, int& files, std::map<std::string, LayerEntry>& entries) {
  ReadArchive a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), blob.c_str(), 1 << 20) != ARCHIVE_OK)
    throw_infra(fmt::format("cannot read layer {}: {}", blob.string(), archive_error_string(a.get())));
  std::vector<LayerEntry> added;
  std::vector<std::pair<std::string, std::string>> hardlinks;  // path, target
  std::vector<std::string> deleted, opaque;
  archive_entry* e = nullptr;
  int r;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    const std::string path = normalise_image_path(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
    if (path.empty()) continue;
    if (const Whiteout w = whiteout_of(path); w.kind != Whiteout::Kind::none) {
      (w.kind == Whiteout::Kind::opaque ? opaque : deleted).push_back(w.target);
      continue;
    }
    if (!wanted(path, prefixes)) continue;
    LayerEntry entry{.type = LayerEntry::Type::file, .path = path,
                     .mode = static_cast<std::uint32_t>(archive_entry_perm(e)), .source = {}, .content = {},
                     .link_target = {}, .uid = static_cast<std::uint32_t>(archive_entry_uid(e)),
                     .gid = static_cast<std::uint32_t>(archive_entry_gid(e))};
    if (const char* hard = archive_entry_hardlink(e)) {
      hardlinks.emplace_back(path, normalise_image_path(hard));
      continue;
    }
    switch (archive_entry_filetype(e)) {
      case AE_IFDIR: entry.type = LayerEntry::Type::directory; break;
      case AE_IFLNK:
        entry.type = LayerEntry::Type::symlink;
        entry.link_target = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
        break;
      case AE_IFREG: {
        entry.source = into / fmt::format("file-{}", files++);
        std::ofstream out(entry.source, std::ios::binary);
        const void* block = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        while (archive_read_data_block(a.get(), &block, &size, &offset) == ARCHIVE_OK)
          out.write(static_cast<const char*>(block), static_cast<std::streamsize>(size));
        if (!out) throw_infra(fmt::format("cannot extract /{} to {}", path, entry.source.string()));
        break;
      }
      default: continue;  // devices and FIFOs are not copied
    }
    added.push_back(std::move(entry));
  }
  if (r != ARCHIVE_EOF) throw_infra(fmt::format("cannot read layer {}: {}", blob.string(), archive_error_string(a.get())));
  for (const auto& dir : opaque) erase_tree(entries, dir, true);
  for (const auto& path : deleted) erase_tree(entries, path, false);
  for (auto& entry : added) {
    if (entry.type != LayerEntry::Type::directory) erase_tree(entries, entry.path, true);
    entries[entry.path] = std::move(entry);
  }
  // A hardlink is a second name for a file of this layer or one below: copy its entry.
  for (const auto& [path, target] : hardlinks)
    if (auto it = entries.find(target); it != entries.end() && it->second.type == LayerEntry::Type::file) {
      LayerEntry copy = it->second;
      copy.path = path;
      entries[path] = std::move(copy);
    }
}

}  // namespace

std::vector<LayerEntry> extract_image_paths(RegistryClient& client, const std::string& repository,
                                            const Json& manifest, const std::vector<std::string>& prefixes,
                                            const std::filesystem::path& into) {
  std::vector<std::string> clean;
  for (const auto& p : prefixes) clean.push_back(normalise_image_path(p));
  std::filesystem::create_directories(into);
  std::map<std::string, LayerEntry> entries;
  int files = 0, n = 0;
  for (const Json& layer : manifest.value("layers", Json::array())) {
    const Descriptor descriptor = Descriptor::from_json(layer, "layer of " + repository);
    const auto blob = into / fmt::format("layer-{}", n++);
    {
      std::ofstream out(blob, std::ios::binary);
      client.get_blob_to(repository, descriptor.digest, descriptor.size, out);  // verifies size and digest
    }
    apply_layer(blob, clean, into, files, entries);
    std::filesystem::remove(blob);
  }
  std::vector<LayerEntry> out;
  for (auto& [path, entry] : entries) out.push_back(std::move(entry));
  return out;
}

}  // namespace kiln::oci
