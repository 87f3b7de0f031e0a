#include "oci/image/blob_transfer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <streambuf>
#include <sstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/registry/error.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

BlobSource file_source(const std::filesystem::path& file, std::int64_t size) {
  return BlobSource{.size = size, .open = [file]() -> std::unique_ptr<std::istream> {
                      auto in = std::make_unique<std::ifstream>(file, std::ios::binary);
                      if (!*in) throw_infra(fmt::format("cannot read blob file {}", file.string()));
                      return in;
                    }};
}

// The bytes of a download, on their way to a file (kept for a retried upload) and to a streamed
// upload into the target at the same time. get_blob_to never rewinds (a cut download resumes
// with Range), so every byte reaches both once.
class TeeToUpload final : public std::streambuf {
 public:
  TeeToUpload(const std::filesystem::path& file, RegistryClient::StreamedUpload* upload) : upload_(upload) {
    if (!file_.open(file, std::ios::out | std::ios::binary | std::ios::trunc))
      throw_infra(fmt::format("cannot create {}", file.string()));
  }
  bool close() { return file_.close() != nullptr; }

 protected:
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    const std::streamsize n = file_.sputn(data, size);
    if (upload_ && n > 0) upload_->write(data, static_cast<std::size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char byte = traits_type::to_char_type(c);
    return xsputn(&byte, 1) == 1 ? c : traits_type::eof();
  }
  int sync() override { return file_.pubsync(); }

 private:
  std::filebuf file_;
  RegistryClient::StreamedUpload* upload_;
};

void copy_blob(const BlobOrigin& origin, RegistryClient& target, const std::string& repository, const Descriptor& blob) {
  const Digest& digest = blob.digest;
  // Still compressed, and streamed: the download feeds an upload into the target as it
  // arrives. The bytes also go to a temporary file, so a failed stream is uploaded again from
  // there, never downloaded twice.
  std::unique_ptr<RegistryClient::StreamedUpload> upload;
  try {
    upload = target.start_streamed_upload(repository);
  } catch (const RegistryError& e) {
    spdlog::debug("{}; the blob will be uploaded once downloaded", e.what());
  }
  TempDir scratch("kiln-blob");
  const auto file = scratch.path() / "blob";
  std::int64_t size = 0;
  {
    TeeToUpload tee(file, upload.get());
    std::ostream out(&tee);
    size = origin.client.get_blob_to(origin.repository, digest, blob.size, out);
    out.flush();
    if (!out || !tee.close()) throw_infra(fmt::format("cannot write {} to {}", digest.to_string(), file.string()));
  }
  if (upload && upload->commit(digest)) return;
  upload.reset();  // cancels a session whose stream failed
  target.upload_blob(repository, digest, file_source(file, size));
}

}  // namespace

bool copy_blob_if_missing(const BlobOrigin& origin, RegistryClient& target, const std::string& repository,
                          const Descriptor& blob) {
  const Digest& digest = blob.digest;
  const bool same_registry = origin.client.registry() == target.registry();
  if (same_registry && origin.repository == repository) return false;  // already linked in the repository
  if (target.head_blob(repository, digest)) return false;
  if (same_registry && target.mount_blob(repository, digest, origin.repository)) return false;
  spdlog::debug("copying blob {} from {}/{}", digest.to_string(), origin.client.registry(), origin.repository);
  copy_blob(origin, target, repository, blob);
  return true;
}

Uploaded push_blob_file(RegistryClient& target, const std::string& repository, const std::filesystem::path& file,
                        const Digest& digest, std::int64_t size) {
  if (target.head_blob(repository, digest)) return Uploaded::already_present;
  target.upload_blob(repository, digest, file_source(file, size));
  return Uploaded::yes;
}

Descriptor push_blob_bytes(RegistryClient& target, const std::string& repository, const std::string& bytes,
                           const std::string& media_type) {
  const Descriptor descriptor{.media_type = media_type, .digest = Sha256::of(bytes),
                              .size = static_cast<std::int64_t>(bytes.size())};
  if (!target.head_blob(repository, descriptor.digest)) {
    auto shared = std::make_shared<const std::string>(bytes);
    target.upload_blob(repository, descriptor.digest,
                       BlobSource{.size = descriptor.size, .open = [shared]() -> std::unique_ptr<std::istream> {
                                    return std::make_unique<std::istringstream>(*shared);
                                  }});
  }
  return descriptor;
}

}  // namespace kiln::oci
