#pragma once
// One judge per test kind (used by evaluate only). Each returns the status, message and output
// of a TestResult; evaluate names it. A null facts pointer means the driver left it out.
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
TestResult judge_command(const CommandTest& test, const inspect::CommandQuery& query, const inspect::CommandFacts* facts);
TestResult judge_metadata(const MetadataTest& test, const oci::Json& image_config);

}  // namespace kiln::verify
