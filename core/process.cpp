#include "core/process.h"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Exception.h>
#include <Poco/Process.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/error.h"

namespace kiln {
namespace {

Poco::Process::Env make_env(const ProcessOptions& options) {
  Poco::Process::Env env;
  for (const auto& [k, v] : options.extra_env) env[k] = v;
  return env;
}

std::string drain(Poco::Pipe& pipe) {
  std::string data;
  char buffer[65536];
  for (int n; (n = pipe.readBytes(buffer, sizeof buffer)) > 0;) data.append(buffer, n);
  return data;
}

// Hands `pipe`'s content to `on_line` one line at a time, as each line completes.
void stream_lines(Poco::Pipe& pipe, const std::function<void(std::string_view)>& on_line) {
  std::string pending;
  char buffer[65536];
  for (int n; (n = pipe.readBytes(buffer, sizeof buffer)) > 0;) {
    pending.append(buffer, n);
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      on_line(std::string_view(pending).substr(start, nl - start));
    pending.erase(0, start);
  }
  if (!pending.empty()) on_line(pending);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw_infra("run_process: empty argv");
  Poco::Pipe in, out, err;
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  std::unique_ptr<Poco::ProcessHandle> handle;
  try {
    handle = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
        argv[0], args, options.working_dir.empty() ? std::string() : options.working_dir, &in, &out,
        // Streamed output shares one pipe, so lines keep the order the child wrote them in.
        options.on_output_line ? &out : &err,
        make_env(options)));
  } catch (const Poco::Exception& e) {
    throw_infra(fmt::format("cannot start {}: {}", argv[0], e.displayText()));
  }
  const int pid = handle->id();
  // Readers run concurrently so a child that fills one pipe while we wait on the other
  // cannot deadlock us.
  ProcessResult result;
  const auto& on_line = options.on_output_line;
  std::thread out_reader([&] { on_line ? stream_lines(out, on_line) : void(result.out = drain(out)); });
  std::thread err_reader([&] {
    if (!on_line) result.err = drain(err);
  });
  std::thread writer([&] {
    if (!options.input.empty()) {
      std::size_t off = 0;
      while (off < options.input.size()) {
        int n = in.writeBytes(options.input.data() + off, static_cast<int>(options.input.size() - off));
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
      }
    }
    in.close(Poco::Pipe::CLOSE_WRITE);
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
        ::kill(pid, SIGKILL);
      }
    });
  }
  result.exit_code = handle->wait();
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
  std::unique_ptr<Poco::ProcessHandle> handle;
  Poco::Pipe out;
  std::thread reader;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::string output;
  bool eof = false;
  bool reaped = false;
  int exit_code = -1;
};

ChildProcess::ChildProcess(std::vector<std::string> argv, const ProcessOptions& options)
    : state_(std::make_unique<State>()) {
  if (argv.empty()) throw_infra("ChildProcess: empty argv");
  state_->name = argv[0];
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  try {
    // stdout and stderr share one pipe so the buffer shows them interleaved as they happened.
    state_->handle = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch(argv[0], args, options.working_dir, nullptr, &state_->out, &state_->out,
                              make_env(options)));
  } catch (const Poco::Exception& e) {
    throw_infra(fmt::format("cannot start {}: {}", argv[0], e.displayText()));
  }
  state_->out.close(Poco::Pipe::CLOSE_WRITE);
  State* s = state_.get();
  s->reader = std::thread([s] {
    char buffer[8192];
    for (int n; (n = s->out.readBytes(buffer, sizeof buffer)) > 0;) {
      std::lock_guard lock(s->mutex);
      s->output.append(buffer, n);
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

int ChildProcess::pid() const { return state_->handle->id(); }

bool ChildProcess::running() const {
  if (state_->reaped) return false;
  return Poco::Process::isRunning(*state_->handle);
}

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
  if (!s.reaped) {
    const pid_t pid = s.handle->id();
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == 0) {
      ::kill(pid, SIGTERM);
      for (int i = 0; i < 50 && ::waitpid(pid, &status, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (::waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
      }
    }
    s.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    s.reaped = true;
  }
  if (s.reader.joinable()) s.reader.join();
  return s.exit_code;
}

}  // namespace kiln
