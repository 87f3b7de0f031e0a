#include "inspect/gather.h"

#include <limits>

#include "inspect/elf_facts.h"

namespace kiln::inspect {
namespace {

void add_error(PathFacts& facts, const std::string& error) {
  if (error.empty()) return;
  if (!facts.error.empty()) facts.error += "; ";
  facts.error += error;
}

const char* type_word(FileStat::Type type) {
  switch (type) {
    case FileStat::Type::directory: return "a directory";
    case FileStat::Type::symlink: return "a symlink";
    case FileStat::Type::char_device: return "a character device";
    case FileStat::Type::block_device: return "a block device";
    case FileStat::Type::fifo: return "a FIFO";
    case FileStat::Type::socket: return "a socket";
    default: return "a regular file";
  }
}

PathFacts path_facts(const PathQuery& query, const FileTree& tree, std::uint64_t max_content_bytes) {
  PathFacts out{.path = query.path};
  // The entry itself: every link on the way followed, the last one not (lstat semantics).
  const auto entry = resolve(tree, query.path, false);
  const auto stat = entry ? tree.lstat(*entry) : std::nullopt;
  if (!stat) return out;
  out.exists = true;
  out.stat = *stat;
  if (query.list) {
    const auto directory = stat->type == FileStat::Type::symlink ? resolve(tree, query.path, true) : entry;
    out.subdirectories.emplace();
    if (directory) {
      for (const std::string& name : tree.list(*directory)) {
        const std::string child = (*directory == "/" ? "" : *directory) + "/" + name;
        const auto child_stat = tree.lstat(child);
        if (!child_stat || child_stat->type != FileStat::Type::directory) continue;
        if (out.subdirectories->size() == kMaxListedDirectories) {
          add_error(out, query.path + " has more than " + std::to_string(kMaxListedDirectories) + " subdirectories");
          break;
        }
        out.subdirectories->push_back(name);
      }
    }
  }
  if (!query.contents && !query.sha256 && !query.elf) return out;

  // Contents, hash and ELF describe the file a program opening the path would get.
  const auto target = stat->type == FileStat::Type::symlink ? resolve(tree, query.path, true) : entry;
  const auto target_stat = target ? tree.lstat(*target) : std::nullopt;
  if (!target_stat) {
    add_error(out, query.path + " is a symlink to \"" + stat->link_target +
                       "\", which does not resolve inside the image (missing, or a loop)");
    return out;
  }
  if (target_stat->type != FileStat::Type::file && target_stat->type != FileStat::Type::hardlink) {
    add_error(out, query.path + " is " + type_word(target_stat->type) + ", not a regular file");
    return out;
  }
  if (query.contents) {
    // One byte more than allowed tells a file of exactly the limit from a longer one.
    const std::uint64_t want =
        max_content_bytes == std::numeric_limits<std::uint64_t>::max() ? max_content_bytes : max_content_bytes + 1;
    if (auto bytes = tree.read(*target, want)) {
      out.contents_truncated = bytes->size() > max_content_bytes;
      if (out.contents_truncated) bytes->resize(max_content_bytes);
      out.contents = std::move(*bytes);
    } else {
      add_error(out, "cannot read " + query.path);
    }
  }
  if (query.sha256) {
    out.sha256 = tree.sha256(*target);
    if (!out.sha256) add_error(out, "cannot hash " + query.path);
  }
  if (query.elf) {
    auto inspection = inspect_elf(tree, *target);
    out.not_elf = inspection.not_elf;
    out.elf = std::move(inspection.facts);
    add_error(out, inspection.error);
  }
  return out;
}

}  // namespace

Facts gather_facts(const FactRequest& request, const FileTree& tree, CommandRunner* runner,
                   const std::string& no_runner_reason) {
  Facts facts;
  for (const auto& query : request.paths) facts.paths.push_back(path_facts(query, tree, request.max_content_bytes));
  for (const auto& command : request.commands) {
    CommandFacts result = runner ? runner->run(command, request.max_output_bytes)
                                 : CommandFacts{.id = command.id, .error = no_runner_reason};
    result.id = command.id;
    facts.commands.push_back(std::move(result));
  }
  return facts;
}

}  // namespace kiln::inspect
