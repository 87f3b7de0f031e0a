// fileExistenceTests and fileContentTests on the stat, contents and hash a driver found.
#include <re2/re2.h>

#include <cstdio>

#include "verify/check/judges.h"
#include "verify/spec/file_mode.h"

namespace kiln::verify {

TestResult Findings::result() const {
  TestResult out;
  if (items_.empty()) return out;
  out.status = Status::failed;
  for (const std::string& item : items_) out.message += (out.message.empty() ? "" : "; ") + item;
  return out;
}

TestResult error_result(std::string message) {
  return TestResult{.status = Status::error, .message = std::move(message)};
}

// Backslashes stay as written, so a pattern reads as it does in the spec ("^main \d+").
std::string show(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

bool search(const std::string& pattern, const std::string& text) {
  const RE2 re(pattern, RE2::Quiet);
  return re.ok() && RE2::PartialMatch(text, re);
}

namespace {

std::string a_type(inspect::FileStat::Type type) {
  using Type = inspect::FileStat::Type;
  switch (type) {
    case Type::file: return "a regular file";
    case Type::directory: return "a directory";
    case Type::symlink: return "a symlink";
    case Type::hardlink: return "a hard link";
    case Type::char_device: return "a character device";
    case Type::block_device: return "a block device";
    case Type::fifo: return "a FIFO";
    case Type::socket: return "a socket";
  }
  return "an entry";
}

// Not found is a verdict; not found out (the driver's `error`) is an infrastructure problem.
std::optional<TestResult> missing(const inspect::PathFacts* facts, const std::string& path, bool should_exist) {
  if (!facts) return error_result("the driver gave no facts about " + path);
  if (facts->exists) return std::nullopt;
  if (!facts->error.empty()) return error_result(path + ": " + facts->error);
  Findings findings;
  if (should_exist) findings.add("expected " + path + " to exist, not found");
  return findings.result();
}

// Returns an error result when the hash was wanted but could not be found out.
std::optional<TestResult> check_sha256(const std::optional<std::string>& expected, const inspect::PathFacts& facts,
                                       Findings& findings) {
  if (!expected) return std::nullopt;
  if (!facts.sha256) {
    const auto type = facts.stat.type;
    if (type != inspect::FileStat::Type::file && type != inspect::FileStat::Type::symlink &&
        type != inspect::FileStat::Type::hardlink) {
      findings.add("sha256: expected " + *expected + ", found " + a_type(type));
      return std::nullopt;
    }
    return error_result(facts.path + ": SHA-256 not found out" + (facts.error.empty() ? "" : ": " + facts.error));
  }
  if (*facts.sha256 != *expected) findings.add("sha256: expected " + *expected + ", found " + *facts.sha256);
  return std::nullopt;
}

const char* executable_by_name(ExecutableBy by) {
  switch (by) {
    case ExecutableBy::owner: return "owner";
    case ExecutableBy::group: return "group";
    case ExecutableBy::other: return "other";
    case ExecutableBy::any: return "any";
  }
  return "any";
}

std::uint32_t executable_mask(ExecutableBy by) {
  switch (by) {
    case ExecutableBy::owner: return 0100;
    case ExecutableBy::group: return 0010;
    case ExecutableBy::other: return 0001;
    case ExecutableBy::any: return 0111;
  }
  return 0111;
}

}  // namespace

TestResult judge_file_existence(const FileExistenceTest& test, const inspect::PathFacts* facts) {
  const std::string path = facts ? facts->path : test.path;
  if (auto result = missing(facts, path, test.should_exist)) return *result;
  Findings findings;
  const inspect::FileStat& stat = facts->stat;
  if (!test.should_exist) {
    findings.add("expected " + path + " not to exist, found " + a_type(stat.type));
    return findings.result();
  }
  const std::string found_mode = go_file_mode(stat.type, stat.mode);
  if (test.type && parse_file_type(*test.type) != stat.type) {
    findings.add("type: expected " + *test.type + ", found " + std::string(file_type_name(stat.type)));
  }
  if (test.permissions && *test.permissions != found_mode) {
    findings.add("permissions: expected " + *test.permissions + ", found " + found_mode);
  }
  if (test.mode && *test.mode != (stat.mode & 07777u)) {
    findings.add("mode: expected " + octal_mode(*test.mode) + ", found " + octal_mode(stat.mode));
  }
  if (test.uid && *test.uid != stat.uid) {
    findings.add("uid: expected " + std::to_string(*test.uid) + ", found " + std::to_string(stat.uid));
  }
  if (test.gid && *test.gid != stat.gid) {
    findings.add("gid: expected " + std::to_string(*test.gid) + ", found " + std::to_string(stat.gid));
  }
  if (test.is_executable_by && (stat.mode & executable_mask(*test.is_executable_by)) == 0) {
    findings.add(std::string("isExecutableBy: expected executable by ") + executable_by_name(*test.is_executable_by) +
                 ", found " + found_mode);
  }
  if (test.non_empty && stat.size == 0) findings.add("size: expected more than 0 bytes, found 0");
  if (auto error = check_sha256(test.sha256, *facts, findings)) return *error;
  return findings.result();
}

TestResult judge_file_content(const FileContentTest& test, const inspect::PathFacts* facts) {
  if (auto result = missing(facts, test.path, true)) return *result;
  Findings findings;
  const bool wants_contents = !test.expected_contents.empty() || !test.excluded_contents.empty();
  if (facts->stat.type == inspect::FileStat::Type::directory) {
    findings.add("expected a file at " + test.path + ", found a directory");
    return findings.result();
  }
  if (wants_contents) {
    if (!facts->contents) {
      return error_result(test.path + ": contents not read" + (facts->error.empty() ? "" : ": " + facts->error));
    }
    // Judging part of a file could pass an excludedContents that the rest would fail.
    if (facts->contents_truncated) {
      return error_result(test.path + ": larger than the content limit; only the first " +
                          std::to_string(facts->contents->size()) + " bytes were read");
    }
    for (const std::string& pattern : test.expected_contents) {
      if (!search(pattern, *facts->contents)) findings.add("expectedContents: " + show(pattern) + " not found");
    }
    for (const std::string& pattern : test.excluded_contents) {
      if (search(pattern, *facts->contents)) findings.add("excludedContents: " + show(pattern) + " found");
    }
  }
  if (auto error = check_sha256(test.sha256, *facts, findings)) return *error;
  return findings.result();
}

}  // namespace kiln::verify
