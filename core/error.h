#pragma once
// One error type for the whole project: it carries the exit class that main() maps to a
// process exit code, so code that throws decides what kind of failure it is.
#include <stdexcept>
#include <string>

namespace kiln {

enum class ExitClass { ok = 0, test_failed = 1, usage = 2, infra = 3 };

class Error : public std::runtime_error {
 public:
  Error(ExitClass cls, const std::string& what) : std::runtime_error(what), cls_(cls) {}
  ExitClass exit_class() const noexcept { return cls_; }
  /// The process exit code; a subclass may pass on a child's own code (a failing RUN's).
  virtual int exit_code() const noexcept { return static_cast<int>(cls_); }

 private:
  ExitClass cls_;
};

/// Bad input from the user (setting, file, reference): exit 2.
[[noreturn]] void throw_usage(const std::string& what);
/// The environment failed (registry, runtime, disk): exit 3.
[[noreturn]] void throw_infra(const std::string& what);

}  // namespace kiln
