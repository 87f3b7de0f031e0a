#include "oci/layer/layer_entries.h"

#include <algorithm>
#include <map>

#include "core/error.h"

namespace kiln::oci {
namespace {

std::string in_quotes(std::string_view path) { return "'" + std::string(path) + "'"; }

// For names that failed UTF-8 validation: every byte outside printable ASCII as \xNN, so the
// message is printable and a NUL does not cut it short.
std::string escaped_in_quotes(std::string_view path) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "'";
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 15]);
    }
  }
  return out + "'";
}

// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF) and no NUL, which would
// end the name inside a tar header.
bool is_utf8_without_nul(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    int extra = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (c == 0) return false;
    if (c < 0x80) { ++p; continue; }
    if ((c & 0xE0) == 0xC0) { extra = 1; min = 0x80; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; min = 0x800; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; min = 0x10000; cp = c & 0x07; }
    else return false;
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

struct PathLess {
  bool operator()(const std::string& a, const std::string& b) const { return layer_path_less(a, b); }
};

void check_entry(const LayerEntry& entry, const std::string& path) {
  if (entry.type == LayerEntry::Type::file && !entry.source.empty() && !entry.content.empty())
    throw_usage("layer entry " + in_quotes(path) + ": give a source file or inline content, not both");
  if (entry.type == LayerEntry::Type::symlink) {
    if (entry.link_target.empty()) throw_usage("layer entry " + in_quotes(path) + ": symlink has no target");
    if (!is_utf8_without_nul(entry.link_target))
      throw_usage("layer entry " + in_quotes(path) + ": symlink target " + escaped_in_quotes(entry.link_target) +
                  " must be UTF-8 without NUL bytes");
  }
}

}  // namespace

std::string normalize_layer_path(std::string_view path) {
  if (!is_utf8_without_nul(path))
    throw_usage("layer entry " + escaped_in_quotes(path) + ": path must be UTF-8 without NUL bytes");
  std::string out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    // A ".." in a layer can escape the extraction root on careless unpackers.
    if (part == "..") throw_usage("layer entry " + in_quotes(path) + ": path must not contain '..'");
    if (!out.empty()) out.push_back('/');
    out.append(part);
  }
  if (out.empty()) throw_usage("layer entry " + in_quotes(path) + ": path names the image root, not an entry");
  return out;
}

bool layer_path_less(std::string_view a, std::string_view b) {
  // Map '/' below every other byte: component order then equals byte order, with shorter
  // components first. Names hold no NUL (normalize_layer_path), so 0 is free to use.
  auto key = [](char c) { return c == '/' ? 0u : static_cast<unsigned char>(c) + 1u; };
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [&](char x, char y) { return key(x) < key(y); });
}

std::vector<LayerEntry> plan_layer_entries(const std::vector<LayerEntry>& entries) {
  std::map<std::string, LayerEntry, PathLess> by_path;
  for (const LayerEntry& given : entries) {
    LayerEntry entry = given;
    entry.path = normalize_layer_path(given.path);
    check_entry(entry, entry.path);
    const std::string path = entry.path;
    if (!by_path.emplace(path, std::move(entry)).second)
      throw_usage("layer entry " + in_quotes(path) + " appears more than once");
  }
  // Parents: missing ones default to 0755 (runtimes disagree on what an absent parent gets,
  // see containerd#3017), present ones must be directories or extraction would follow or
  // replace them.
  std::vector<std::string> explicit_paths;
  for (const auto& [path, entry] : by_path) explicit_paths.push_back(path);
  for (const std::string& path : explicit_paths) {
    for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      const std::string parent = path.substr(0, slash);
      auto found = by_path.find(parent);
      if (found == by_path.end()) {
        LayerEntry directory;
        directory.type = LayerEntry::Type::directory;
        directory.path = parent;
        directory.mode = 0755;
        by_path.emplace(parent, std::move(directory));
      } else if (found->second.type != LayerEntry::Type::directory) {
        throw_usage("layer entry " + in_quotes(path) + ": parent " + in_quotes(parent) + " is not a directory");
      }
    }
  }
  std::vector<LayerEntry> out;
  out.reserve(by_path.size());
  for (auto& [path, entry] : by_path) out.push_back(std::move(entry));
  return out;
}

}  // namespace kiln::oci
