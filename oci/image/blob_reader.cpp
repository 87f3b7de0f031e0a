#include "oci/image/blob_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <ostream>

#include "core/error.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

class RegistryBlobReader : public BlobReader {
 public:
  RegistryBlobReader(RegistryClient& client, std::string repository)
      : client_(client), repository_(std::move(repository)) {}
  std::int64_t fetch_to(const Digest& digest, std::int64_t size, std::ostream& out) override {
    return client_.get_blob_to(repository_, digest, size, out);
  }
  std::string describe() const override { return "registry " + client_.registry() + "/" + repository_; }

 private:
  RegistryClient& client_;
  std::string repository_;
};

class LayoutBlobReader : public BlobReader {
 public:
  explicit LayoutBlobReader(std::string directory) : directory_(std::move(directory)) {}
  std::int64_t fetch_to(const Digest& digest, std::int64_t size, std::ostream& out) override {
    const std::string path = directory_ + "/blobs/sha256/" + digest.hex();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_infra(describe() + ": blob " + digest.to_string() + " is missing (" + path + ")");
    Sha256 hasher;
    std::array<char, 1 << 16> buffer{};
    std::int64_t total = 0;
    while (in) {
      // One byte past the declared size is enough to know the file is longer.
      in.read(buffer.data(), static_cast<std::streamsize>(
                                 std::min<std::int64_t>(static_cast<std::int64_t>(buffer.size()), size - total + 1)));
      const auto got = in.gcount();
      if (got <= 0) break;
      if (total + got > size)
        throw_infra(fmt::format("{}: blob {} is longer than the {} bytes its descriptor declares ({})", describe(),
                                digest.to_string(), size, path));
      hasher.update(buffer.data(), static_cast<std::size_t>(got));
      out.write(buffer.data(), got);
      total += got;
    }
    if (!out) throw_infra(describe() + ": could not write blob " + digest.to_string());
    if (total != size)
      throw_infra(fmt::format("{}: blob {} has {} bytes, not the {} its descriptor declares ({})", describe(),
                              digest.to_string(), total, size, path));
    if (hasher.finish() != digest)
      throw_infra(describe() + ": blob " + digest.to_string() + " does not match its digest (" + path + ")");
    return total;
  }
  std::string describe() const override { return "OCI layout " + directory_; }

 private:
  std::string directory_;
};

}  // namespace

std::shared_ptr<BlobReader> registry_blob_reader(RegistryClient& client, std::string repository) {
  return std::make_shared<RegistryBlobReader>(client, std::move(repository));
}

std::shared_ptr<BlobReader> layout_blob_reader(std::string layout_directory) {
  return std::make_shared<LayoutBlobReader>(std::move(layout_directory));
}

}  // namespace kiln::oci
