#pragma once
// One judge per test kind (used by evaluate only). Each returns the status, message and output
// of a TestResult; evaluate names it. A null facts pointer means the driver left it out.
#include <functional>
#include <string>
#include <vector>

#include "inspect/facts.h"
#include "oci/json.h"
#include "verify/report/result.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// Failed assertions of one test, joined into its one message.
class Findings {
 public:
  void add(std::string finding) { items_.push_back(std::move(finding)); }
  bool empty() const { return items_.empty(); }
  /// passed when empty, else failed with the findings joined by "; ".
  TestResult result() const;

 private:
  std::vector<std::string> items_;
};

TestResult error_result(std::string message);
/// `text` in double quotes for messages: quotes and control characters escaped, backslashes not.
std::string show(const std::string& text);
/// RE2 unanchored search (Go's MatchString); patterns were checked when the spec was loaded.
bool search(const std::string& pattern, const std::string& text);

TestResult judge_file_existence(const FileExistenceTest& test, const inspect::PathFacts* facts);
TestResult judge_file_content(const FileContentTest& test, const inspect::PathFacts* facts);
TestResult judge_elf(const ElfTest& test, const inspect::PathFacts* facts, const std::string& image_architecture);
/// `setup` holds the facts of the test's setup commands, in order (null where missing). As in
/// CST, a setup command that could not start fails the test; its exit code does not.
TestResult judge_command(const CommandTest& test, const inspect::CommandQuery& query, const inspect::CommandFacts* facts,
                         const std::vector<const inspect::CommandFacts*>& setup = {});
/// The facts of an image path, null when the driver gave none.
using PathLookup = std::function<const inspect::PathFacts*(const std::string&)>;
TestResult judge_license(const LicenseTest& test, const inspect::Facts& facts, const PathLookup& path);
TestResult judge_metadata(const MetadataTest& test, const oci::Json& image_config);

}  // namespace kiln::verify
