#include "inspect/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include "core/spawn.h"
#include "core/unique_fd.h"
#include "inspect/oom_kills.h"

namespace kiln::inspect {
namespace {

using Clock = std::chrono::steady_clock;

// How long output is still collected after the process has exited or been killed: the pipes
// normally reach EOF at once, unless something outside the group kept them open.
constexpr auto kDrainGrace = std::chrono::milliseconds(500);
// waitpid has no timeout, so liveness is checked at least this often while output is awaited.
constexpr auto kPollTick = std::chrono::milliseconds(10);
constexpr int kChunksPerDrain = 16;
// Longer than any CI job; beyond it a timeout is treated as none (and cannot overflow the clock).
constexpr double kMaxTimeoutSeconds = 1e7;

struct Pipe {
  UniqueFd read, write;
};

std::optional<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::string errno_text(int error) { return std::strerror(error); }

// One output stream of the child: kept up to the limit, the rest read and dropped.
struct Stream {
  UniqueFd fd;
  std::string* text;
  bool open = true;

  // false at EOF or on error. Reads a bounded amount per call, so a child that writes without
  // pause (`yes`) cannot keep the caller from checking the timeout.
  bool drain(std::uint64_t limit, bool& truncated) {
    std::array<char, 65536> buffer;
    for (int chunk = 0; chunk < kChunksPerDrain; ++chunk) {
      const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n <= 0) return false;
      const auto room = limit > text->size() ? limit - text->size() : 0;
      const auto keep = std::min<std::uint64_t>(room, static_cast<std::uint64_t>(n));
      text->append(buffer.data(), keep);
      if (keep < static_cast<std::uint64_t>(n)) truncated = true;
    }
    return true;
  }
};

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

// kiln-probe is the container's pid 1: whatever a command leaves behind is re-parented to it, and
// a killed orphan stays a zombie, holding its pid against the container's pids limit, until it
// is reaped here. Commands run one at a time, so no other child is waited for meanwhile.
void reap_orphans() {
  int status = 0;
  while (::waitpid(-1, &status, WNOHANG) > 0) {
  }
}

}  // namespace

CommandFacts ProcessRunner::run(const CommandQuery& query, std::uint64_t max_output_bytes) {
  CommandFacts out{.id = query.id};
  if (query.argv.empty()) {
    out.error = "command has no argv";
    return out;
  }
  std::string path_variable(kDefaultPath);
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : query.env) {
    if (name == "PATH") path_variable = value;
    env_strings.push_back(name + "=" + value);
  }
  const auto executable = find_executable(query.argv[0], path_variable, query.workdir);
  if (!executable) {
    out.error = "\"" + query.argv[0] + "\" not found in PATH " + path_variable;
    return out;
  }
  auto stdin_pipe = make_pipe(), stdout_pipe = make_pipe(), stderr_pipe = make_pipe();
  if (!stdin_pipe || !stdout_pipe || !stderr_pipe) {
    out.error = "cannot create pipes: " + errno_text(errno);
    return out;
  }
  reap_orphans();
  // Commands run one at a time, and the probe itself is small: a kill counted while this one
  // runs is one of its processes.
  const auto oom_kills_before = read_oom_kills(cgroup_dir_);
  const auto started = Clock::now();
  pid_t pid = -1;
  try {
    pid = spawn_child({.argv = query.argv,
                       .executable = *executable,
                       .environment = std::move(env_strings),
                       .working_dir = query.workdir,
                       .stdin_fd = stdin_pipe->read.get(),
                       .stdout_fd = stdout_pipe->write.get(),
                       .stderr_fd = stderr_pipe->write.get(),
                       .own_group = true});
  } catch (const SpawnError& e) {
    out.error = e.stage() == SpawnError::Stage::working_dir
                    ? "cannot change to working directory " + query.workdir + ": " + errno_text(e.error())
                : e.stage() == SpawnError::Stage::exec ? "cannot execute " + *executable + ": " + errno_text(e.error())
                                                       : e.what();
    return out;
  }
  stdin_pipe.reset();  // the command reads an empty stdin
  stdout_pipe->write.reset();
  stderr_pipe->write.reset();

  std::array<Stream, 2> streams = {Stream{std::move(stdout_pipe->read), &out.stdout_text},
                                   Stream{std::move(stderr_pipe->read), &out.stderr_text}};
  for (auto& stream : streams) ::fcntl(stream.fd.get(), F_SETFL, O_NONBLOCK);
  const bool has_deadline = query.timeout_seconds > 0 && query.timeout_seconds < kMaxTimeoutSeconds;
  const auto deadline = started + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(has_deadline ? query.timeout_seconds : 0));
  bool exited = false;
  Clock::time_point drain_until{};
  int status = 0;
  // Kills what is left of the group, then reaps the main process. Until it is reaped it is a
  // zombie holding its pid, so the group id cannot have been reused by an unrelated process.
  const auto finish = [&] {
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    exited = true;
    out.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    drain_until = Clock::now() + kDrainGrace;
  };
  while (true) {
    if (!exited) {
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
        finish();
    }
    if (exited && !streams[0].open && !streams[1].open) break;
    const auto now = Clock::now();
    if (!exited && has_deadline && now >= deadline) {
      out.timed_out = true;
      finish();
      continue;
    }
    if (exited && now >= drain_until) break;
    std::array<pollfd, 2> fds{};
    nfds_t count = 0;
    std::array<Stream*, 2> polled{};
    for (auto& stream : streams)
      if (stream.open) {
        fds[count] = {.fd = stream.fd.get(), .events = POLLIN};
        polled[count++] = &stream;
      }
    auto wait = kPollTick;
    if (exited) wait = std::chrono::duration_cast<std::chrono::milliseconds>(drain_until - now) + std::chrono::milliseconds(1);
    if (count == 0) {
      ::poll(nullptr, 0, static_cast<int>(wait.count()));
      continue;
    }
    if (::poll(fds.data(), count, static_cast<int>(wait.count())) <= 0) continue;
    for (nfds_t i = 0; i < count; ++i)
      if (fds[i].revents != 0 && !polled[i]->drain(max_output_bytes, out.output_truncated)) polled[i]->open = false;
  }
  reap_orphans();
  out.ran = true;
  out.exit_code = exit_code_of(status);
  const auto oom_kills_after = read_oom_kills(cgroup_dir_);
  out.out_of_memory = oom_kills_before && oom_kills_after && *oom_kills_after > *oom_kills_before;
  return out;
}

}  // namespace kiln::inspect
