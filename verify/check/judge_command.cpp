// commandTests on what a command did inside the image.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "verify/check/judges.h"

namespace kiln::verify {
namespace {

bool contains_any(std::string text, std::initializer_list<std::string_view> needles) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view needle) { return text.find(needle) != std::string::npos; });
}

std::string argv_text(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) out += (out.empty() ? "" : " ") + show(arg);
  return out;
}

std::string exit_text(const inspect::CommandFacts& facts) {
  const std::string code =
      facts.exit_code < 0 ? "killed by signal " + std::to_string(-facts.exit_code) : std::to_string(facts.exit_code);
  if (!facts.out_of_memory) return code;
  return code + " (out of memory: the kernel killed a process of the command at the container's memory limit)";
}

}  // namespace

TestResult judge_command(const CommandTest& test, const inspect::CommandQuery& query, const inspect::CommandFacts* facts,
                         const std::vector<const inspect::CommandFacts*>& setup) {
  std::string details = "argv: " + argv_text(query.argv) + "\nworkdir: " + query.workdir;
  for (std::size_t i = 0; i < test.setup.size(); ++i) {
    const inspect::CommandFacts* step = i < setup.size() ? setup[i] : nullptr;
    const std::string name = "setup[" + std::to_string(i) + "] " + argv_text(test.setup[i]);
    if (!step) {
      TestResult out = error_result("the driver gave no result for " + name);
      out.details = details;
      return out;
    }
    if (!step->ran) {
      // CST reports "error in setup" and fails the test when a setup command cannot run.
      TestResult out{.status = Status::failed, .message = "error in setup: " + name + " could not run: " + step->error};
      out.details = details;
      return out;
    }
    // CST does not look at a setup command's exit code; the details still show it.
    details += "\n" + name + " exited " + exit_text(*step);
  }
  if (!facts) {
    TestResult out = error_result("the driver gave no result for the command");
    out.details = details;
    return out;
  }
  if (!facts->ran) {
    TestResult out;
    if (contains_any(facts->error, {"does not run commands", "cannot run commands"})) {
      out = TestResult{.status = Status::skipped, .message = facts->error};
    } else if (contains_any(facts->error, {"executable file not found", "not found in path", "no such file or directory",
                                           "permission denied", "exec format error"})) {
      // The image's fault, not the runtime's: its executable is missing, not executable or
      // built for another machine — what a shell would report as exit 126/127.
      out = TestResult{.status = Status::failed, .message = "command could not start: " + facts->error};
    } else {
      out = error_result("command did not run: " + facts->error);
    }
    out.details = details;
    return out;
  }
  Findings findings;
  if (facts->timed_out) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", query.timeout_seconds);
    findings.add(std::string("timed out after ") + seconds + "s" +
                 (facts->out_of_memory ? " (and a process of it was killed at the container's memory limit)" : ""));
  } else if (facts->exit_code != test.exit_code) {
    findings.add("exitCode: expected " + std::to_string(test.exit_code) + ", found " + exit_text(*facts));
  }
  for (const std::string& pattern : test.expected_output) {
    if (!search(pattern, facts->stdout_text)) findings.add("expectedOutput: " + show(pattern) + " not found in stdout");
  }
  for (const std::string& pattern : test.excluded_output) {
    if (search(pattern, facts->stdout_text)) findings.add("excludedOutput: " + show(pattern) + " found in stdout");
  }
  for (const std::string& pattern : test.expected_error) {
    if (!search(pattern, facts->stderr_text)) findings.add("expectedError: " + show(pattern) + " not found in stderr");
  }
  for (const std::string& pattern : test.excluded_error) {
    if (search(pattern, facts->stderr_text)) findings.add("excludedError: " + show(pattern) + " found in stderr");
  }
  TestResult out = findings.result();
  out.details = details + (facts->output_truncated ? "\noutput truncated at the driver's limit" : "");
  out.seconds = facts->seconds;
  out.stdout_text = facts->stdout_text;
  out.stderr_text = facts->stderr_text;
  return out;
}

}  // namespace kiln::verify
