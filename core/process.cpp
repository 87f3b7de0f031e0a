#include "core/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "core/error.h"
#include "core/spawn.h"
#include "core/stop_signals.h"
#include "core/unique_fd.h"

extern char** environ;

namespace kiln {
namespace {

// Our environment, less options.unset_env, plus options.extra_env.
std::vector<std::string> child_environment(const ProcessOptions& options) {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string_view::npos) vars.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  for (const std::string& name : options.unset_env) vars.erase(name);
  for (const auto& [name, value] : options.extra_env) vars[name] = value;
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

struct PipeFds {
  UniqueFd read, write;
};

PipeFds make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_infra(fmt::format("cannot make a pipe: {}", std::strerror(errno)));
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

ssize_t read_some(int fd, char* buffer, std::size_t size) {
  ssize_t n;
  while ((n = ::read(fd, buffer, size)) < 0 && errno == EINTR) {
  }
  return n;
}

std::string drain(int fd) {
  std::string data;
  char buffer[65536];
  for (ssize_t n; (n = read_some(fd, buffer, sizeof buffer)) > 0;) data.append(buffer, static_cast<std::size_t>(n));
  return data;
}

// Hands `fd`'s content to `on_line` one line at a time, as each line completes.
void stream_lines(int fd, const std::function<void(std::string_view)>& on_line) {
  std::string pending;
  char buffer[65536];
  for (ssize_t n; (n = read_some(fd, buffer, sizeof buffer)) > 0;) {
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      on_line(std::string_view(pending).substr(start, nl - start));
    pending.erase(0, start);
  }
  if (!pending.empty()) on_line(pending);
}

// A child that exits early closes its stdin: the write fails with EPIPE instead of raising
// SIGPIPE, which would end this whole process. (SIGPIPE from write() goes to the writing
// thread, and a blocked one is discarded when the thread ends.)
void write_all(int fd, const std::string& input) {
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  std::size_t off = 0;
  while (off < input.size()) {
    const ssize_t n = ::write(fd, input.data() + off, input.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
}

int wait_for_exit(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Kills and reaps a started child when run_process leaves early (an exception).
class ReapOnUnwind {
 public:
  ReapOnUnwind(int pid, bool group) : pid_(pid), group_(group) {}
  ~ReapOnUnwind() {
    if (pid_ < 0) return;
    ::kill(group_ ? -pid_ : pid_, SIGKILL);
    wait_for_exit(pid_);
    stop_signals::remove_child(pid_);
  }
  ReapOnUnwind(const ReapOnUnwind&) = delete;
  ReapOnUnwind& operator=(const ReapOnUnwind&) = delete;
  void reaped() { pid_ = -1; }

 private:
  int pid_;
  bool group_;
};

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw_infra("run_process: empty argv");
  const auto& on_line = options.on_output_line;
  PipeFds in = make_pipe(), out = make_pipe();
  std::optional<PipeFds> err;
  // Streamed output shares one pipe, so lines keep the order the child wrote them in.
  if (!on_line) err = make_pipe();
  const SpawnSpec spec{.argv = argv,
                       .environment = child_environment(options),
                       .working_dir = options.working_dir,
                       .stdin_fd = in.read.get(),
                       .stdout_fd = out.write.get(),
                       .stderr_fd = err ? err->write.get() : out.write.get(),
                       .own_group = options.own_process_group,
                       .dies_with_parent = options.own_process_group};
  const int pid = stop_signals::add_child([&] { return spawn_child(spec); }, std::filesystem::path(argv[0]).filename(),
                                          options.own_process_group);
  ReapOnUnwind guard(pid, options.own_process_group);
  in.read.reset();
  out.write.reset();
  if (err) err->write.reset();

  // Readers run concurrently so a child that fills one pipe while we wait on the other
  // cannot deadlock us.
  ProcessResult result;
  std::thread out_reader([&] { on_line ? stream_lines(out.read.get(), on_line) : void(result.out = drain(out.read.get())); });
  std::thread err_reader([&] {
    if (err) result.err = drain(err->read.get());
  });
  std::thread writer([&] {
    write_all(in.write.get(), options.input);
    in.write.reset();
  });

  std::mutex m;
  std::condition_variable cv;
  bool finished = false, timed_out = false;
  std::thread watchdog;
  if (options.timeout.count() > 0) {
    watchdog = std::thread([&] {
      std::unique_lock lock(m);
      if (!cv.wait_for(lock, options.timeout, [&] { return finished; })) {
        timed_out = true;
        ::kill(options.own_process_group ? -pid : pid, SIGKILL);
      }
    });
  }
  result.exit_code = wait_for_exit(pid);
  guard.reaped();
  stop_signals::remove_child(pid);
  {
    std::lock_guard lock(m);
    finished = true;
  }
  cv.notify_all();
  if (watchdog.joinable()) watchdog.join();
  writer.join();
  out_reader.join();
  err_reader.join();
  if (timed_out)
    throw_infra(fmt::format("{} did not finish within {} ms and was killed", argv[0], options.timeout.count()));
  return result;
}

struct ChildProcess::State {
  std::string name;
  int pid = -1;
  std::chrono::milliseconds stop_grace{};
  UniqueFd out;
  std::thread reader;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::string output;
  bool eof = false;
  bool reaped = false;
  int exit_code = -1;

  // Reaps the child if it has exited; true when it has.
  bool reap_if_exited() {
    if (reaped) return true;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != pid) return false;
    exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    reaped = true;
    return true;
  }
};

ChildProcess::ChildProcess(std::vector<std::string> argv, const ProcessOptions& options)
    : state_(std::make_unique<State>()) {
  if (argv.empty()) throw_infra("ChildProcess: empty argv");
  state_->name = argv[0];
  state_->stop_grace = options.stop_grace;
  // stdout and stderr share one pipe so the buffer shows them interleaved as they happened.
  PipeFds out = make_pipe();
  state_->pid = spawn_child({.argv = std::move(argv),
                             .environment = child_environment(options),
                             .working_dir = options.working_dir,
                             .stdout_fd = out.write.get(),
                             .stderr_fd = out.write.get()});
  state_->out = std::move(out.read);
  State* s = state_.get();
  s->reader = std::thread([s] {
    char buffer[8192];
    for (ssize_t n; (n = read_some(s->out.get(), buffer, sizeof buffer)) > 0;) {
      std::lock_guard lock(s->mutex);
      s->output.append(buffer, static_cast<std::size_t>(n));
      s->changed.notify_all();
    }
    std::lock_guard lock(s->mutex);
    s->eof = true;
    s->changed.notify_all();
  });
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept = default;

ChildProcess::~ChildProcess() {
  if (state_) stop();
}

int ChildProcess::pid() const { return state_->pid; }

bool ChildProcess::running() const { return !state_->reap_if_exited(); }

std::string ChildProcess::output() const {
  std::lock_guard lock(state_->mutex);
  return state_->output;
}

bool ChildProcess::wait_for_output(const std::string& needle, std::chrono::milliseconds deadline) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, deadline, [&] {
    return state_->output.find(needle) != std::string::npos || state_->eof;
  }) && state_->output.find(needle) != std::string::npos;
}

int ChildProcess::stop() {
  State& s = *state_;
  if (!s.reap_if_exited()) {
    ::kill(s.pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + s.stop_grace;
    while (!s.reap_if_exited() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!s.reap_if_exited()) {
      ::kill(s.pid, SIGKILL);
      s.exit_code = wait_for_exit(s.pid);
      s.reaped = true;
    }
  }
  if (s.reader.joinable()) s.reader.join();
  return s.exit_code;
}

}  // namespace kiln
