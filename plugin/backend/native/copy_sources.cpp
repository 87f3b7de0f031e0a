#include "plugin/backend/native/copy_sources.h"

#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>

#include "core/error.h"
#include "plugin/backend/native/add_archive.h"
#include "plugin/backend/native/context_path.h"

namespace kiln::plugin {
namespace fs = std::filesystem;
namespace {

bool has_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// "./a//b/" → "a/b"; "/" or "." → "" (the context root). Nullopt when it climbs out.
std::optional<std::string> clean_relative(const std::string& source) {
  const fs::path normal = fs::path("/" + source).lexically_normal();
  std::string s = normal.string();
  while (!s.empty() && s.front() == '/') s.erase(0, 1);
  while (!s.empty() && s.back() == '/') s.pop_back();
  // lexically_normal keeps ".." that climb above "/": reject them.
  if (s == ".." || s.starts_with("../")) return std::nullopt;
  if (source.find("..") != std::string::npos) {
    // "/a/../../x" normalises to "/x" under a root; check the unrooted form climbs out.
    const std::string plain = fs::path(source).lexically_normal().string();
    if (plain == ".." || plain.starts_with("../")) return std::nullopt;
  }
  return s;
}

void walk_directory(const fs::path& dir, const std::string& relative_dir, const std::string& target_dir,
                    const DockerIgnore& ignore, const CopyOptions& options, std::vector<oci::LayerEntry>& out) {
  std::vector<fs::directory_entry> children{fs::directory_iterator(dir), fs::directory_iterator()};
  std::sort(children.begin(), children.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  for (const auto& child : children) {
    const std::string name = child.path().filename().string();
    const std::string relative = relative_dir.empty() ? name : relative_dir + "/" + name;
    if (ignore.excluded(relative)) continue;
    const std::string target = target_dir + "/" + name;
    struct stat st {};
    if (::lstat(child.path().c_str(), &st) != 0) continue;
    oci::LayerEntry entry{.type = oci::LayerEntry::Type::file, .path = target,
                          .mode = options.chmod.value_or(st.st_mode & 07777), .source = {}, .content = {},
                          .link_target = {}, .uid = options.uid, .gid = options.gid};
    if (S_ISLNK(st.st_mode)) {
      entry.type = oci::LayerEntry::Type::symlink;
      entry.link_target = fs::read_symlink(child.path()).string();
      out.push_back(std::move(entry));
    } else if (S_ISDIR(st.st_mode)) {
      entry.type = oci::LayerEntry::Type::directory;
      out.push_back(std::move(entry));
      walk_directory(child.path(), relative, target, ignore, options, out);
    } else if (S_ISREG(st.st_mode)) {
      entry.source = child.path();
      out.push_back(std::move(entry));
    }
    // Sockets, FIFOs and devices in a build context are not copied (as with Docker).
  }
}

// Every context path (files and directories, '/'-separated) a glob matches, in order.
std::vector<std::string> glob_context(const fs::path& context, const std::string& pattern) {
  std::vector<std::string> matches;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(context, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    // Lexically: fs::relative would resolve a symlink and name its target instead.
    const std::string relative = it->path().lexically_relative(context).string();
    if (::fnmatch(pattern.c_str(), relative.c_str(), FNM_PATHNAME) == 0) matches.push_back(relative);
  }
  std::sort(matches.begin(), matches.end());
  return matches;
}

}  // namespace

std::vector<oci::LayerEntry> resolve_copy(const fs::path& context, const DockerIgnore& ignore,
                                          const std::vector<std::string>& sources, const std::string& destination,
                                          const std::string& working_dir, const CopyOptions& options,
                                          const std::string& where,
                                          const std::function<bool(const std::string&)>& is_directory,
                                          std::vector<ArchiveSource>* archives) {
  // Expand globs first: "several sources" is judged on what they match.
  std::vector<std::pair<std::string, std::string>> matched;  // {as written, relative path}
  for (const std::string& source : sources) {
    const auto clean = clean_relative(source);
    if (!clean) throw_usage(fmt::format("{}: source '{}' is outside the build context", where, source));
    if (has_glob(*clean)) {
      std::size_t before = matched.size();
      for (const auto& m : glob_context(context, *clean))
        if (!ignore.excluded(m)) matched.emplace_back(source, m);
      if (matched.size() == before)
        throw_usage(fmt::format("{}: no file in the build context matches '{}'", where, source));
    } else {
      if (const auto rule = clean->empty() ? std::nullopt : ignore.exclusion(*clean))
        throw_usage(fmt::format("{}: '{}' is excluded by .dockerignore ({})", where, source, *rule));
      matched.emplace_back(source, *clean);
    }
  }
  const bool dest_is_dir = destination.ends_with("/") || matched.size() > 1;
  if (sources.size() > 1 && !destination.ends_with("/"))
    throw_usage(fmt::format("{}: with more than one source the destination must be a directory ending in '/'", where));
  std::string dest = fs::path(destination).is_absolute() ? destination : working_dir + "/" + destination;
  dest = fs::path(dest).lexically_normal().string();
  while (dest.size() > 1 && dest.back() == '/') dest.pop_back();

  std::vector<oci::LayerEntry> out;
  for (const auto& [source, relative] : matched) {
    const ContextPath found = resolve_in_context(context, relative, ignore, where, source);
    const fs::path& real = found.real;
    std::error_code ec;
    const auto status = fs::status(real, ec);
    if (ec || !fs::exists(status))
      throw_usage(fmt::format("{}: '{}' not found in the build context", where, source));
    if (fs::is_directory(status)) {
      // A directory's contents are copied, not the directory itself (Docker's COPY rule); the
      // destination is made like any directory COPY creates: 0755, --chown's owner.
      out.push_back({.type = oci::LayerEntry::Type::directory, .path = dest, .mode = 0755, .source = {},
                     .content = {}, .link_target = {}, .uid = options.uid, .gid = options.gid});
      // Its files are what Docker would have sent: judged by where they really are.
      walk_directory(real, found.relative, dest, ignore, options, out);
    } else if (archives && is_tar_archive(real)) {
      archives->push_back({.real = real, .name = source, .destination = dest, .position = out.size()});
    } else {
      const bool into = dest_is_dir || (is_directory && is_directory(dest));
      // The name as written in the context: a symlinked source keeps its own name.
      const std::string name = fs::path(relative).filename().string();
      const std::string target = into ? (dest == "/" ? "" : dest) + "/" + name : dest;
      out.push_back({.type = oci::LayerEntry::Type::file, .path = target,
                     .mode = options.chmod.value_or(static_cast<std::uint32_t>(status.permissions()) & 07777),
                     .source = real, .content = {}, .link_target = {}, .uid = options.uid, .gid = options.gid});
    }
  }
  return out;
}

}  // namespace kiln::plugin
