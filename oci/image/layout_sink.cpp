// The OCI image layout a dry run writes: blobs/sha256/<hex>, an oci-layout marker and an
// index.json naming each tag (image-spec image-layout.md). Blobs land under a temporary name
// and are renamed into place once complete and checked, so an interrupted build never leaves
// a blob whose name lies about its content.
#include <fmt/format.h>

#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/read_file.h"
#include "core/stop.h"
#include "oci/image/image_document.h"
#include "oci/image/image_sink.h"
#include "oci/media_type.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

// Renames `from` to `to`; across file systems (a temp dir elsewhere) copies then removes.
void move_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
  if (!ec) return;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) throw_infra(fmt::format("cannot store {} as {}: {}", from.string(), to.string(), ec.message()));
  std::filesystem::remove(from, ec);
}

class LayoutSink final : public ImageSink {
 public:
  LayoutSink(std::filesystem::path directory, LayerWatch watch) : dir_(std::move(directory)), watch_(std::move(watch)) {
    std::error_code ec;
    std::filesystem::create_directories(dir_ / "blobs/sha256", ec);
    if (ec) throw_infra(fmt::format("cannot create OCI layout {}: {}", dir_.string(), ec.message()));
    write_file_atomically(dir_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    if (const auto text = read_file(dir_ / "index.json", kMaxDocumentBytes, "OCI layout index"))
      index_ = parse_json(*text, (dir_ / "index.json").string());
    if (!index_.is_object() || !index_.value("manifests", Json()).is_array())
      index_ = {{"schemaVersion", 2}, {"mediaType", media_type::oci_index}, {"manifests", Json::array()}};
  }

  std::string describe() const override { return "OCI layout " + dir_.string(); }
  bool oci_only() const override { return true; }

  bool take_blob(const BlobOrigin& origin, const Descriptor& wanted) override {
    const Digest& digest = wanted.digest;
    if (has(digest)) return false;
    const auto partial = temp_name(digest);
    {
      std::ofstream out(partial, std::ios::binary);
      origin.client.get_blob_to(origin.repository, digest, wanted.size, out);  // verifies size and digest
      out.flush();
      if (!out) throw_infra(fmt::format("{}: cannot write blob {}", describe(), digest.to_string()));
    }
    move_file(partial, blob(digest));
    return true;
  }

  PushedLayer put_layer(const LayerSpec& spec, const std::filesystem::path& blob_path, const LayerCache*) override {
    // No cache: a cached layer is one the registry has, and a layout has none of its own yet.
    const std::optional<WrittenLayer> layer =
        write_layer_unless(spec, blob_path, nullptr, [&](const LayerProgress& progress) {
          if (watch_.stop.stop_requested()) return false;
          if (watch_.on_progress) watch_.on_progress(progress);
          return true;
        });
    if (!layer) throw StopRequested(describe() + ": writing a layer");
    const WrittenLayer& written = *layer;
    const Uploaded stored = put_blob_file(written.blob_path, written.digest, written.size);
    return PushedLayer{.digest = written.digest, .diff_id = written.diff_id, .size = written.size,
                       .compression = written.compression, .uploaded = stored};
  }

  Uploaded put_blob_file(const std::filesystem::path& file, const Digest& digest, std::int64_t) override {
    if (has(digest)) return Uploaded::already_present;
    const auto partial = temp_name(digest);
    std::error_code ec;
    std::filesystem::copy_file(file, partial, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) throw_infra(fmt::format("{}: cannot store {}: {}", describe(), file.string(), ec.message()));
    move_file(partial, blob(digest));
    return Uploaded::yes;
  }

  Descriptor put_blob_bytes(const std::string& bytes, const std::string& media_type) override {
    const Descriptor descriptor{.media_type = media_type, .digest = Sha256::of(bytes),
                                .size = static_cast<std::int64_t>(bytes.size())};
    if (!has(descriptor.digest)) write_file_atomically(blob(descriptor.digest), bytes);
    return descriptor;
  }

  void put_manifest(const std::string& tag, const std::string& media_type, const std::string& bytes) override {
    const Descriptor stored = put_blob_bytes(bytes, media_type);
    if (tag.empty()) return;
    Json& manifests = index_["manifests"];
    Json entry = {{"mediaType", media_type}, {"digest", stored.digest.to_string()}, {"size", stored.size},
                  {"annotations", {{kRefNameAnnotation, tag}}}};
    bool replaced = false;
    for (Json& existing : manifests)
      if (existing.value("annotations", Json::object()).value(kRefNameAnnotation, "") == tag) existing = entry, replaced = true;
    if (!replaced) manifests.push_back(std::move(entry));
    write_file_atomically(dir_ / "index.json", dump_json(index_));
  }

 private:
  std::filesystem::path blob(const Digest& digest) const { return dir_ / "blobs/sha256" / digest.hex(); }
  std::filesystem::path temp_name(const Digest& digest) const {
    return dir_ / "blobs/sha256" / (".partial-" + digest.hex());
  }
  bool has(const Digest& digest) const {
    std::error_code ec;
    return std::filesystem::is_regular_file(blob(digest), ec);
  }

  std::filesystem::path dir_;
  LayerWatch watch_;
  Json index_;
};

}  // namespace

std::unique_ptr<ImageSink> layout_sink(std::filesystem::path directory, LayerWatch watch) {
  return std::make_unique<LayoutSink>(std::move(directory), std::move(watch));
}

}  // namespace kiln::oci
