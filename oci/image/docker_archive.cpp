#include "oci/image/docker_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <array>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/image/image_document.h"
#include "oci/image/manifest_edit.h"
#include "oci/layer/archive_handle.h"
#include "oci/layer/blob_writer.h"
#include "oci/media_type.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {


// Adds one regular file; mtime 0 and root ownership keep the archive reproducible.
void add_entry(archive* a, const std::string& name, std::int64_t size, std::istream& body) {
  ArchiveEntry e(archive_entry_new());
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), 0644);
  archive_entry_set_size(e.get(), size);
  archive_entry_set_mtime(e.get(), 0, 0);
  if (archive_write_header(a, e.get()) != ARCHIVE_OK)
    throw_infra(fmt::format("cannot write {} into the tarball: {}", name, archive_error_string(a)));
  std::array<char, 1 << 16> buffer{};
  while (body) {
    body.read(buffer.data(), buffer.size());
    if (body.gcount() > 0 && archive_write_data(a, buffer.data(), static_cast<std::size_t>(body.gcount())) < 0)
      throw_infra(fmt::format("cannot write {} into the tarball: {}", name, archive_error_string(a)));
  }
}

enum class Kind { none, gzip, zstd };

Kind compression_of(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::array<unsigned char, 4> magic{};
  in.read(reinterpret_cast<char*>(magic.data()), magic.size());
  if (in.gcount() >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return Kind::gzip;
  if (in.gcount() == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    return Kind::zstd;
  return Kind::none;
}

Digest digest_of_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  Sha256 hash;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    if (in.gcount() > 0) hash.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return hash.finish();
}

// Extracts regular files of the archive under `into`, refusing names that climb out and
// stopping at `limits`.
void extract(const std::filesystem::path& tar_path, const std::filesystem::path& into, const DockerArchiveLimits& limits) {
  ReadArchive a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), tar_path.c_str(), 1 << 20) != ARCHIVE_OK)
    throw_usage(fmt::format("cannot read {}: {}", tar_path.string(), archive_error_string(a.get())));
  archive_entry* e = nullptr;
  int r;
  std::int64_t entries = 0, bytes = 0;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    if (++entries > limits.max_entries)
      throw_usage(fmt::format("{}: more than {} entries; a docker-archive of one image has far fewer",
                              tar_path.string(), limits.max_entries));
    const std::string name = std::filesystem::path(archive_entry_pathname(e)).lexically_normal().string();
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    if (name.starts_with("..") || name.starts_with("/"))
      throw_usage(fmt::format("{}: entry '{}' is outside the archive", tar_path.string(), name));
    const auto out_path = into / name;
    std::filesystem::create_directories(out_path.parent_path());
    std::ofstream out(out_path, std::ios::binary);
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    while (archive_read_data_block(a.get(), &block, &size, &offset) == ARCHIVE_OK) {
      bytes += static_cast<std::int64_t>(size);
      if (bytes > limits.max_bytes)
        throw_usage(fmt::format("{}: its files unpack to more than {} bytes", tar_path.string(), limits.max_bytes));
      out.write(static_cast<const char*>(block), static_cast<std::streamsize>(size));
    }
    if (!out) throw_infra(fmt::format("cannot extract {} from {}", name, tar_path.string()));
  }
  if (r != ARCHIVE_EOF) throw_usage(fmt::format("cannot read {}: {}", tar_path.string(), archive_error_string(a.get())));
}

// A file manifest.json names: inside the archive, and one of its regular files (extract()
// wrote nothing else), never a path of the host.
std::filesystem::path member(const std::filesystem::path& scratch, const Json& name, const std::filesystem::path& tar_path) {
  const std::filesystem::path relative = std::filesystem::path(name.is_string() ? name.get<std::string>() : "").lexically_normal();
  if (relative.empty() || relative.is_absolute() || *relative.begin() == "..")
    throw_usage(fmt::format("{}: manifest.json names {}, which is not a file inside the archive", tar_path.string(),
                            name.dump()));
  const std::filesystem::path file = scratch / relative;
  if (!std::filesystem::is_regular_file(file))
    throw_usage(fmt::format("{}: manifest.json names {}, which the archive does not hold", tar_path.string(), name.dump()));
  return file;
}

}  // namespace

void write_docker_archive(const std::filesystem::path& layout, const StoredManifest& manifest,
                          const std::vector<std::string>& repo_tags, const std::filesystem::path& tar_path) {
  if (!media_type::is_manifest(manifest.media_type))
    throw_usage(fmt::format("setting tar_path: a docker-archive holds one image, and this build made an index "
                            "({}); use oci_layout_path", manifest.media_type));
  const Json doc = parse_json(manifest.bytes, "manifest");
  const auto blob = [&](const Json& d) {
    return layout / "blobs/sha256" / Digest::parse(d.at("digest").get<std::string>()).hex();
  };
  Json entry = {{"Config", doc.at("config").at("digest")}, {"RepoTags", repo_tags}, {"Layers", Json::array()}};
  for (const Json& layer : doc.value("layers", Json::array())) {
    const std::string type = layer.value("mediaType", "");
    if (type == media_type::oci_layer_zstd)
      throw_usage("setting tar_path: a docker-archive cannot hold zstd layers; use compression: gzip");
    const std::string hex = Digest::parse(layer.at("digest").get<std::string>()).hex();
    entry["Layers"].push_back(type.ends_with("gzip") ? hex + ".tar.gz" : hex + ".tar");
  }
  if (!tar_path.parent_path().empty()) std::filesystem::create_directories(tar_path.parent_path());
  // Written beside the target and renamed: a reader never sees half a tarball.
  const std::filesystem::path partial = tar_path.string() + ".partial";
  {
    WriteArchive a(archive_write_new());
    archive_write_set_format_pax_restricted(a.get());
    archive_write_set_bytes_in_last_block(a.get(), 1);
    if (archive_write_open_filename(a.get(), partial.c_str()) != ARCHIVE_OK)
      throw_infra(fmt::format("cannot create {}: {}", partial.string(), archive_error_string(a.get())));
    const std::string manifest_json = dump_json(Json::array({entry}));
    std::istringstream manifest_body(manifest_json);
    add_entry(a.get(), "manifest.json", static_cast<std::int64_t>(manifest_json.size()), manifest_body);
    const auto config_file = blob(doc.at("config"));
    std::ifstream config(config_file, std::ios::binary);
    add_entry(a.get(), entry["Config"].get<std::string>(), static_cast<std::int64_t>(std::filesystem::file_size(config_file)),
              config);
    std::size_t i = 0;
    for (const Json& layer : doc.value("layers", Json::array())) {
      const auto file = blob(layer);
      std::ifstream body(file, std::ios::binary);
      add_entry(a.get(), entry["Layers"][i++].get<std::string>(),
                static_cast<std::int64_t>(std::filesystem::file_size(file)), body);
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK)
      throw_infra(fmt::format("cannot write {}: {}", partial.string(), archive_error_string(a.get())));
  }
  std::filesystem::rename(partial, tar_path);
}

StoredImage read_docker_archive(const std::filesystem::path& tar_path, ImageSink& target,
                                const DockerArchiveLimits& limits) {
  TempDir scratch("kiln-archive");
  extract(tar_path, scratch.path(), limits);
  const auto manifest_path = scratch.path() / "manifest.json";
  if (!std::filesystem::is_regular_file(manifest_path))
    throw_usage(fmt::format("{} is not a docker-archive: it has no manifest.json", tar_path.string()));
  const Json list = parse_json(read_document_file(manifest_path), tar_path.string() + ": manifest.json");
  if (!list.is_array() || list.size() != 1)
    throw_usage(fmt::format("{}: a docker-archive with exactly one image is needed (it has {})", tar_path.string(),
                            list.is_array() ? list.size() : 0));
  const Json& entry = list.front();
  if (!entry.is_object()) throw_usage(fmt::format("{}: manifest.json's entry is not an object", tar_path.string()));
  const std::string config_bytes = read_document_file(member(scratch.path(), entry.value("Config", Json()), tar_path));
  const Json config = parse_json(config_bytes, tar_path.string() + ": config");
  const Json diff_ids = config.value("rootfs", Json::object()).value("diff_ids", Json::array());
  const Json layers = entry.value("Layers", Json());
  if (!layers.is_array() || layers.size() != diff_ids.size())
    throw_usage(fmt::format("{}: manifest.json names {} layers, the config {}", tar_path.string(),
                            layers.is_array() ? layers.size() : 0, diff_ids.size()));
  bool any_zstd = false;
  std::vector<Descriptor> descriptors;
  std::size_t n = 0;
  for (const Json& name : layers) {
    const auto file = member(scratch.path(), name, tar_path);
    const Kind kind = compression_of(file);
    std::filesystem::path blob = file;
    if (kind == Kind::none) {
      // `docker save` stores layers uncompressed; registries serve them compressed. The tar's
      // own digest must be the config's diff_id, which compression leaves unchanged.
      if (digest_of_file(file).to_string() != diff_ids[n].get<std::string>())
        throw_usage(fmt::format("{}: layer {} does not match its diff_id", tar_path.string(), name.get<std::string>()));
      blob = scratch.path() / fmt::format("layer-{}.gz", n);
      BlobWriter writer(blob, CompressionSettings{.kind = Compression::gzip, .level = 1});
      std::ifstream in(file, std::ios::binary);
      std::array<char, 1 << 16> buffer{};
      while (in) {
        in.read(buffer.data(), buffer.size());
        if (in.gcount() > 0) writer.write(buffer.data(), static_cast<std::size_t>(in.gcount()));
      }
      writer.finish();
    }
    any_zstd |= kind == Kind::zstd;
    const Digest digest = digest_of_file(blob);
    const auto size = static_cast<std::int64_t>(std::filesystem::file_size(blob));
    target.put_blob_file(blob, digest, size);
    descriptors.push_back({.media_type = kind == Kind::zstd ? std::string(media_type::oci_layer_zstd)
                                                            : std::string(media_type::docker_layer_gzip),
                           .digest = digest, .size = size});
    ++n;
  }
  // zstd has no Docker media type, and layouts take OCI manifests only: then it is an OCI image.
  const bool oci = any_zstd || target.oci_only();
  for (auto& d : descriptors)
    if (oci && d.media_type == media_type::docker_layer_gzip) d.media_type = std::string(media_type::oci_layer_gzip);
  const Descriptor config_descriptor =
      target.put_blob_bytes(config_bytes, std::string(oci ? media_type::oci_config : media_type::docker_config));
  Json manifest = {{"schemaVersion", 2},
                   {"mediaType", oci ? media_type::oci_manifest : media_type::docker_manifest},
                   {"config", config_descriptor.to_json()},
                   {"layers", Json::array()}};
  for (const auto& d : descriptors) manifest["layers"].push_back(d.to_json());
  StoredImage image{.top = {.media_type = std::string(oci ? media_type::oci_manifest : media_type::docker_manifest),
                            .bytes = dump_json(manifest)},
                    .children = {}};
  target.put_manifest("", image.top.media_type, image.top.bytes);
  return image;
}

}  // namespace kiln::oci
