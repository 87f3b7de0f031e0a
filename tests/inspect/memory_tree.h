#pragma once
// A FileTree held in memory, for tests that need exact trees (link tables, hostile ELF files)
// without touching the disk. It records how many bytes were read, so tests can check that
// inspecting a large file reads only its headers.
#include <openssl/evp.h>

#include <map>
#include <string>

#include "inspect/file_tree.h"

namespace kiln::inspect::testing {

class MemoryTree final : public FileTree {
 public:
  MemoryTree() { entries_["/"] = {.stat = {.type = FileStat::Type::directory, .mode = 0755}}; }

  MemoryTree& dir(const std::string& path, std::uint32_t mode = 0755) {
    entries_[path] = {.stat = {.type = FileStat::Type::directory, .mode = mode}};
    return *this;
  }
  MemoryTree& file(const std::string& path, std::string contents, std::uint32_t mode = 0644) {
    const auto size = contents.size();
    entries_[path] = {.stat = {.type = FileStat::Type::file, .mode = mode, .size = size}, .contents = std::move(contents)};
    return *this;
  }
  MemoryTree& link(const std::string& path, const std::string& target) {
    entries_[path] = {.stat = {.type = FileStat::Type::symlink, .mode = 0777, .size = target.size(), .link_target = target}};
    return *this;
  }

  std::optional<FileStat> lstat(std::string_view path) const override {
    const auto it = entries_.find(std::string(path));
    if (it == entries_.end()) return std::nullopt;
    return it->second.stat;
  }
  std::vector<std::string> list(std::string_view directory) const override {
    const std::string prefix = directory == "/" ? "/" : std::string(directory) + "/";
    std::vector<std::string> names;
    for (const auto& [path, entry] : entries_)
      if (path.size() > prefix.size() && path.starts_with(prefix) && path.find('/', prefix.size()) == std::string::npos)
        names.push_back(path.substr(prefix.size()));
    return names;
  }
  std::optional<std::string> read(std::string_view path, std::uint64_t max_bytes) const override {
    return read_range(path, 0, max_bytes);
  }
  std::optional<std::string> read_range(std::string_view path, std::uint64_t offset, std::uint64_t length) const override {
    const auto* entry = regular(path);
    if (!entry) return std::nullopt;
    if (offset >= entry->contents.size()) return std::string();
    auto bytes = entry->contents.substr(offset, length);
    bytes_read_ += bytes.size();
    return bytes;
  }
  std::optional<std::string> sha256(std::string_view path) const override {
    const auto* entry = regular(path);
    if (!entry) return std::nullopt;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(entry->contents.data(), entry->contents.size(), digest, &size, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < size; ++i) {
      static constexpr char kHex[] = "0123456789abcdef";
      hex += kHex[digest[i] >> 4];
      hex += kHex[digest[i] & 0xf];
    }
    return hex;
  }

  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  struct Entry {
    FileStat stat;
    std::string contents;
  };
  const Entry* regular(std::string_view path) const {
    const auto it = entries_.find(std::string(path));
    return it == entries_.end() || it->second.stat.type != FileStat::Type::file ? nullptr : &it->second;
  }

  std::map<std::string, Entry> entries_;
  mutable std::uint64_t bytes_read_ = 0;
};

}  // namespace kiln::inspect::testing
