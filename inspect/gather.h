#pragma once
// Answers a FactRequest from a FileTree: stat, contents, hashes, ELF and library resolution
// through the image's own paths. Commands are run by a CommandRunner when the driver has one.
#include "inspect/facts.h"
#include "inspect/file_tree.h"

namespace kiln::inspect {

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual CommandFacts run(const CommandQuery& query, std::uint64_t max_output_bytes) = 0;
};

/// `runner` null: every command is answered ran=false with `no_runner_reason` as the error.
Facts gather_facts(const FactRequest& request, const FileTree& tree, CommandRunner* runner,
                   const std::string& no_runner_reason = "this driver does not run commands");

}  // namespace kiln::inspect
