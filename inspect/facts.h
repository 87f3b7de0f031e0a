#pragma once
// What the checks of kiln-verify need to know about an image, and what a driver answers.
// kiln-verify builds a FactRequest from the spec; the driver that can see the image (layers
// read from a registry, a rootfs under runc, a check pod) answers with Facts; the assertions
// are evaluated by kiln-verify alone, so every driver judges by the same code. Both travel as
// JSON, because kiln-probe answers from inside the image under test.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiln::inspect {

/// One path the spec asks about. Paths are absolute image paths ("/usr/local/app/main").
struct PathQuery {
  std::string path;
  bool contents = false;  ///< file contents wanted (fileContentTests), up to max_content_bytes
  bool sha256 = false;    ///< hex SHA-256 of the file (symlinks followed inside the image)
  bool elf = false;       ///< ELF identity, interpreter and library resolution
  bool list = false;      ///< the names of its subdirectories (licenseTests' /usr/share/doc)
  friend bool operator==(const PathQuery&, const PathQuery&) = default;
};

/// One command to run inside the image (commandTests, the built-in `--version` check).
struct CommandQuery {
  std::string id;                 ///< chosen by the requester, echoed in CommandFacts
  std::vector<std::string> argv;  ///< argv[0] is looked up in PATH of `env` when not absolute
  std::vector<std::pair<std::string, std::string>> env;  ///< the whole environment
  std::string workdir;            ///< empty: "/"
  double timeout_seconds = 60;
  friend bool operator==(const CommandQuery&, const CommandQuery&) = default;
};

inline constexpr std::size_t kMaxListedDirectories = 100000;

struct FactRequest {
  std::vector<PathQuery> paths;
  std::vector<CommandQuery> commands;
  std::uint64_t max_content_bytes = 16 * 1024 * 1024;
  std::uint64_t max_output_bytes = 1024 * 1024;  ///< per stream of a command
  friend bool operator==(const FactRequest&, const FactRequest&) = default;
};

/// What a path is, symlinks not followed (lstat), as the image stores it.
struct FileStat {
  enum class Type { file, directory, symlink, hardlink, char_device, block_device, fifo, socket };
  Type type = Type::file;
  std::uint32_t mode = 0;  ///< permission and special bits (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint64_t size = 0;
  std::string link_target;  ///< symlink target as stored
  friend bool operator==(const FileStat&, const FileStat&) = default;
};

struct LibraryResolution {
  std::string name;      ///< a DT_NEEDED entry ("libc.so.6")
  std::string resolved;  ///< image path it resolves to; empty when not found
  friend bool operator==(const LibraryResolution&, const LibraryResolution&) = default;
};

struct ElfFacts {
  int bits = 0;  ///< 32 or 64
  bool little_endian = true;
  std::uint16_t machine = 0;
  std::string architecture;  ///< OCI name ("amd64"), empty when unknown
  bool dynamic = false;      ///< has PT_INTERP or DT_NEEDED
  std::string interpreter;   ///< PT_INTERP, empty for static binaries
  bool interpreter_found = false;
  std::vector<std::string> rpath;
  std::vector<std::string> runpath;
  std::vector<LibraryResolution> libraries;  ///< one per DT_NEEDED, in order (direct only)
  friend bool operator==(const ElfFacts&, const ElfFacts&) = default;
};

struct PathFacts {
  std::string path;  ///< as queried
  bool exists = false;
  FileStat stat;                    ///< valid when exists
  std::optional<std::string> contents;  ///< symlinks followed; set when asked and readable
  bool contents_truncated = false;
  std::optional<std::string> sha256;    ///< hex, symlinks followed
  bool not_elf = false;                 ///< asked for elf, and the file is not ELF
  std::optional<ElfFacts> elf;
  /// Asked for `list`: the names of the entries that are directories (lstat), sorted; at most
  /// kMaxListedDirectories, more is an `error`.
  std::optional<std::vector<std::string>> subdirectories;
  std::string error;  ///< why something asked for could not be found out (not a test failure)
  friend bool operator==(const PathFacts&, const PathFacts&) = default;
};

struct CommandFacts {
  std::string id;
  bool ran = false;   ///< false: `error` says why (not found, driver cannot run commands)
  int exit_code = 0;  ///< -N when killed by signal N
  bool timed_out = false;
  /// The kernel killed one of its processes at the container's memory limit (only a driver
  /// that can see the limit's counter says so: the local driver).
  bool out_of_memory = false;
  std::string stdout_text;
  std::string stderr_text;
  bool output_truncated = false;
  double seconds = 0;
  std::string error;
  friend bool operator==(const CommandFacts&, const CommandFacts&) = default;
};

struct Facts {
  std::vector<PathFacts> paths;      ///< one per PathQuery, same order
  std::vector<CommandFacts> commands;  ///< one per CommandQuery, same order
  friend bool operator==(const Facts&, const Facts&) = default;
};

// JSON forms (the probe's input and its stdout). Field names are snake_case. File contents and
// command output may be any bytes, so they travel base64-encoded ("contents_base64",
// "stdout_base64", "stderr_base64"); everything else is plain JSON.
nlohmann::json to_json(const FactRequest& request);
FactRequest fact_request_from_json(const nlohmann::json& doc);  ///< throws kiln::Error(usage)
nlohmann::json to_json(const Facts& facts);
Facts facts_from_json(const nlohmann::json& doc);  ///< throws kiln::Error(infra) naming the field

}  // namespace kiln::inspect
