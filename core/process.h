#pragma once
// Child processes started from argv arrays (never through a shell), with RAII clean-up.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

struct ProcessOptions {
  std::string input;                              ///< written to stdin, then stdin is closed
  std::map<std::string, std::string> extra_env;   ///< added to the inherited environment
  std::vector<std::string> unset_env;             ///< names removed from the inherited environment
  std::string working_dir;                        ///< empty: inherit
  std::chrono::milliseconds timeout{0};           ///< 0: none; on expiry the child is killed
  /// run_process only. When set, stdout and stderr share one pipe and each line (without its
  /// '\n') is passed here as soon as it is complete, in the order the child wrote them, from
  /// a reader thread; it must not throw. ProcessResult::out / err then stay empty.
  std::function<void(std::string_view line)> on_output_line;
  /// run_process only. The child leads a process group of its own: the timeout and a stop
  /// signal (core/stop_signals.h) reach everything it started, and it is killed if this
  /// process dies, even by SIGKILL. For children that start children, like the Kaniko executor.
  bool own_process_group = false;
  /// ChildProcess only: how long stop() and the destructor wait after SIGTERM before SIGKILL.
  /// A server that stops its own work first (kiln-server re-queues its running builds) may need
  /// longer than a registry.
  std::chrono::milliseconds stop_grace{1000};
};

/// Runs argv[0] (looked up in PATH) to completion and collects its output. A child killed by
/// signal S exits 128 + S, as shells and container runtimes say. Every child is registered
/// with core/stop_signals.h while it runs. Throws kiln::Error(infra) when it cannot be started
/// or times out.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// A long-running child whose stdout and stderr are drained into a buffer by a thread.
/// The destructor sends SIGTERM, waits ProcessOptions::stop_grace, then SIGKILL, and reaps it.
class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv, const ProcessOptions& options = {});
  ~ChildProcess();
  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const;
  bool running() const;
  /// Everything the child wrote to stdout and stderr so far.
  std::string output() const;
  /// Waits until output() contains `needle` or the deadline passes; false on timeout or exit.
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds deadline) const;
  /// Stops the child now (same sequence as the destructor) and returns its exit code.
  int stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kiln
