#include "plugin/backend/native/context_path.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <deque>
#include <vector>

#include "core/error.h"

namespace kiln::plugin {
namespace fs = std::filesystem;
namespace {

constexpr int kMaxLinks = 40;  // Linux's limit for one path lookup

std::deque<std::string> components(const std::string& path) {
  std::deque<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty() && part != ".") out.push_back(part);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

}  // namespace

ContextPath resolve_in_context(const fs::path& context, const std::string& relative, const DockerIgnore& ignore,
                               const std::string& where, const std::string& source) {
  std::error_code ec;
  const fs::path root = fs::canonical(context, ec);
  if (ec) throw_usage(fmt::format("{}: cannot read the build context {}: {}", where, context.string(), ec.message()));
  const std::string root_text = root.string();
  auto outside = [&] { throw_usage(fmt::format("{}: source '{}' is outside the build context", where, source)); };

  std::deque<std::string> pending = components(relative);
  std::vector<std::string> done;  // resolved, relative to the root, no links among them
  int links = 0;
  while (!pending.empty()) {
    const std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == "..") {
      if (done.empty()) outside();
      done.pop_back();
      continue;
    }
    done.push_back(part);
    const std::string here = joined(done);
    struct stat st {};
    if (::lstat((root / here).c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) continue;
    if (++links > kMaxLinks)
      throw_usage(fmt::format("{}: source '{}': too many levels of symbolic links", where, source));
    if (const auto rule = ignore.exclusion(here))
      throw_usage(fmt::format("{}: source '{}' goes through the symbolic link '{}', which .dockerignore excludes ({})",
                              where, source, here, *rule));
    done.pop_back();
    std::string target = fs::read_symlink(root / here, ec).string();
    if (ec) throw_usage(fmt::format("{}: source '{}': cannot read the symbolic link '{}': {}", where, source, here, ec.message()));
    if (target.starts_with('/')) {
      // Absolute: a path on this machine, which must lead back into the context.
      if (target != root_text && !target.starts_with(root_text + "/")) outside();
      target = target.substr(root_text.size());
      done.clear();
    }
    std::deque<std::string> more = components(target);
    pending.insert(pending.begin(), more.begin(), more.end());
  }
  ContextPath out{.real = root, .relative = joined(done)};
  if (!out.relative.empty()) out.real /= out.relative;
  if (out.relative != relative)
    if (const auto rule = ignore.exclusion(out.relative))
      throw_usage(fmt::format("{}: source '{}' leads through a symbolic link to '{}', which .dockerignore excludes ({})",
                              where, source, out.relative, *rule));
  return out;
}

}  // namespace kiln::plugin
