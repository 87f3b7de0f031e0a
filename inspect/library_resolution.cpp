#include "inspect/library_resolution.h"

#include <elf.h>

#include <cctype>
#include <set>

#include "inspect/ld_so_conf.h"

namespace kiln::inspect {
namespace {

constexpr std::uint64_t kMaxPathFileBytes = 64 * 1024;

bool is_musl(const ElfDynamicInfo& elf) { return elf.interpreter.find("/ld-musl-") != std::string::npos; }

// Debian's multiarch directory names: glibc there is configured with them as its system
// directories, so they come first in the built-in list.
std::vector<std::string> multiarch_triplets(const ElfIdentity& id) {
  const bool le = id.little_endian;
  switch (id.machine) {
    case EM_X86_64: return {id.bits == 64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32"};
    case EM_386: return {"i386-linux-gnu"};
    case EM_AARCH64: return {le ? "aarch64-linux-gnu" : "aarch64_be-linux-gnu"};
    case EM_ARM: return {"arm-linux-gnueabihf", "arm-linux-gnueabi"};
    case EM_PPC64: return {le ? "powerpc64le-linux-gnu" : "powerpc64-linux-gnu"};
    case EM_S390: return {"s390x-linux-gnu"};
    case EM_RISCV: return {"riscv64-linux-gnu"};
    case EM_MIPS:
      if (id.bits == 64) return {le ? "mips64el-linux-gnuabi64" : "mips64-linux-gnuabi64"};
      return {le ? "mipsel-linux-gnu" : "mips-linux-gnu"};
    case EM_LOONGARCH: return {"loongarch64-linux-gnu"};
    default: return {};
  }
}

// AT_PLATFORM is whatever the running CPU reports; these are the usual kernel names.
std::string platform_name(const ElfIdentity& id) {
  switch (id.machine) {
    case EM_X86_64: return "x86_64";
    case EM_386: return "i686";
    case EM_AARCH64: return "aarch64";
    case EM_ARM: return "v7l";
    case EM_PPC64: return id.little_endian ? "ppc64le" : "ppc64";
    case EM_S390: return "s390x";
    case EM_RISCV: return "riscv64";
    default: return id.architecture;
  }
}

// What glibc's $LIB may stand for: Debian builds it as lib/<triplet>, upstream as lib64 on
// 64-bit targets and lib on 32-bit ones.
std::vector<std::string> lib_names(const ElfIdentity& id) {
  std::vector<std::string> names;
  for (const auto& triplet : multiarch_triplets(id)) names.push_back("lib/" + triplet);
  names.push_back(id.bits == 64 ? "lib64" : "lib");
  return names;
}

std::vector<std::string> glibc_default_directories(const ElfIdentity& id) {
  std::vector<std::string> dirs;
  for (const auto& triplet : multiarch_triplets(id)) {
    dirs.push_back("/lib/" + triplet);
    dirs.push_back("/usr/lib/" + triplet);
  }
  if (id.bits == 64) dirs.insert(dirs.end(), {"/lib64", "/usr/lib64"});
  else dirs.insert(dirs.end(), {"/lib32", "/usr/lib32"});  // Debian's biarch i386 libraries
  dirs.insert(dirs.end(), {"/lib", "/usr/lib"});
  return dirs;
}

// musl reads /etc/ld-musl-<arch>.path (directories separated by newlines or colons), where
// <arch> is the one in its own name (/lib/ld-musl-x86_64.so.1); without it, fixed defaults.
std::vector<std::string> musl_default_directories(const FileTree& tree, const std::string& interpreter) {
  const auto name_at = interpreter.rfind("/ld-musl-") + 9;
  const auto arch = interpreter.substr(name_at, interpreter.find('.', name_at) - name_at);
  if (const auto file = resolve(tree, "/etc/ld-musl-" + arch + ".path", true)) {
    if (const auto text = tree.read(*file, kMaxPathFileBytes)) {
      std::vector<std::string> dirs;
      std::string dir;
      for (const char c : *text + "\n") {
        if (c == '\n' || c == ':') {
          if (!dir.empty()) dirs.push_back(dir);
          dir.clear();
        } else {
          dir += c;
        }
      }
      return dirs;
    }
  }
  return {"/lib", "/usr/local/lib", "/usr/lib"};
}

// Every expansion of the loader's dynamic string tokens in `text`.
std::vector<std::string> expand_tokens(const std::string& text, const std::string& origin, const ElfIdentity& id,
                                       bool musl) {
  struct Token {
    std::string name;
    std::vector<std::string> values;
  };
  std::vector<Token> tokens = {{"ORIGIN", {origin}}};
  if (!musl) {  // musl knows only $ORIGIN
    tokens.push_back({"LIB", lib_names(id)});
    tokens.push_back({"PLATFORM", {platform_name(id)}});
  }
  std::vector<std::string> results = {""};
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (text[i] == '$') {
      for (const auto& token : tokens) {
        const std::string plain = "$" + token.name, braced = "${" + token.name + "}";
        std::size_t length = 0;
        if (text.compare(i, braced.size(), braced) == 0) length = braced.size();
        // $ORIGINAL is not $ORIGIN: the name must end at a non-identifier character.
        else if (text.compare(i, plain.size(), plain) == 0 &&
                 (i + plain.size() == text.size() || !(std::isalnum(static_cast<unsigned char>(text[i + plain.size()])) ||
                                                        text[i + plain.size()] == '_')))
          length = plain.size();
        if (length == 0) continue;
        std::vector<std::string> next;
        for (const auto& prefix : results)
          for (const auto& value : token.values) next.push_back(prefix + value);
        results = std::move(next);
        i += length;
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      for (auto& result : results) result += text[i];
      ++i;
    }
  }
  return results;
}

std::string join_path(const std::string& directory, const std::string& name) {
  std::string path = directory.empty() || directory[0] != '/' ? "/" + directory : directory;
  if (path.back() != '/') path += '/';
  return path + name;
}

bool is_candidate(const FileTree& tree, const std::string& path, const ElfIdentity& want) {
  const auto resolved = resolve(tree, path, true);
  if (!resolved) return false;
  const auto stat = tree.lstat(*resolved);
  if (!stat || stat->type != FileStat::Type::file) return false;
  const auto header = tree.read_range(*resolved, 0, 64);
  if (!header) return false;
  const auto id = read_elf_identity(std::string_view(*header));
  return id && id->bits == want.bits && id->machine == want.machine && id->little_endian == want.little_endian;
}

}  // namespace

std::vector<std::string> library_search_path(const FileTree& tree, std::string_view binary,
                                             const ElfDynamicInfo& elf) {
  const bool musl = is_musl(elf);
  const std::string origin = parent_directory(binary);
  std::vector<std::string> raw;
  // glibc ignores DT_RPATH when DT_RUNPATH is present; musl treats them alike.
  if (musl || elf.runpath.empty()) raw.insert(raw.end(), elf.rpath.begin(), elf.rpath.end());
  raw.insert(raw.end(), elf.runpath.begin(), elf.runpath.end());
  if (musl) {
    for (auto& dir : musl_default_directories(tree, elf.interpreter)) raw.push_back(std::move(dir));
  } else {
    for (auto& dir : ld_so_conf_directories(tree)) raw.push_back(std::move(dir));
    for (auto& dir : glibc_default_directories(elf.identity)) raw.push_back(std::move(dir));
  }
  std::vector<std::string> dirs;
  std::set<std::string> seen;
  for (const auto& entry : raw) {
    if (entry.empty()) continue;  // an empty RPATH element would mean the unknown working directory
    for (auto& dir : expand_tokens(entry, origin, elf.identity, musl))
      if (seen.insert(dir).second) dirs.push_back(std::move(dir));
  }
  return dirs;
}

std::vector<LibraryResolution> resolve_libraries(const FileTree& tree, std::string_view binary,
                                                 const ElfDynamicInfo& elf) {
  std::vector<LibraryResolution> results;
  if (elf.needed.empty()) return results;
  const auto dirs = library_search_path(tree, binary, elf);
  const std::string origin = parent_directory(binary);
  for (const auto& name : elf.needed) {
    LibraryResolution result{.name = name};
    if (name.find('/') != std::string::npos) {
      // Taken as a path (tokens expanded); a relative one is relative to the working
      // directory, which is "/" for the facts we can know.
      for (const auto& path : expand_tokens(name, origin, elf.identity, is_musl(elf))) {
        const std::string absolute = path[0] == '/' ? path : "/" + path;
        if (is_candidate(tree, absolute, elf.identity)) {
          result.resolved = absolute;
          break;
        }
      }
    } else {
      for (const auto& dir : dirs) {
        const std::string path = join_path(dir, name);
        if (is_candidate(tree, path, elf.identity)) {
          result.resolved = path;
          break;
        }
      }
    }
    results.push_back(std::move(result));
  }
  return results;
}

bool interpreter_exists(const FileTree& tree, std::string_view interpreter) {
  if (interpreter.empty()) return false;
  const auto resolved = resolve(tree, interpreter, true);
  if (!resolved) return false;
  const auto stat = tree.lstat(*resolved);
  return stat && stat->type == FileStat::Type::file;
}

}  // namespace kiln::inspect
