#pragma once
// What a program that starts children and writes temporary files does when it is told to stop:
// a CI runner's or `docker stop`'s SIGTERM, kiln-server's cancel (SIGTERM to the group), a
// terminal's SIGINT, a closed terminal's SIGHUP. Without this the default action ends the
// process at once: its temporary directories (registry credentials among them) stay behind and
// a child in another process group (the Kaniko executor) runs on with PPID 1.
//
// run_process registers every child it starts and TempDir every directory it makes, so the
// handler knows what to stop and what to remove without asking anyone.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace kiln {

/// How long a child has to exit after the stop signal is passed on to it, before SIGKILL.
/// Shorter than the 3 s kiln-server waits for kiln-plugin before it kills the whole group.
inline constexpr std::chrono::milliseconds kChildStopGrace{2000};

/// From now on SIGTERM, SIGINT and SIGHUP stop this process cleanly: every registered child is
/// sent the same signal (its whole process group when it leads one), given kChildStopGrace to
/// exit, then SIGKILL; every registered path is removed (never following a symlink); the
/// process exits with 128 + the signal number (143 for SIGTERM). Call it first in main(),
/// before any thread exists: the signals are blocked in every thread, and one thread of its own
/// waits for them.
void exit_cleanly_on_stop_signals();

/// Called when main()'s work is done and its own clean-up has run: a stop signal after this
/// lets the normal exit go on. If one is being handled already, waits for it to end the process.
void ignore_stop_signals_from_now();

namespace stop_signals {

/// Runs `spawn`, which starts a child and returns its pid, with the registry locked, and
/// registers the child under `name` (for the log): a stop signal either comes before the child
/// exists or finds it registered. `own_group`: the child leads its own process group, which is
/// signalled as a whole. While a stop is under way the calling thread waits for the end
/// instead (a new child would only be killed).
int add_child(const std::function<int()>& spawn, const std::string& name, bool own_group);

/// The child was reaped. While a stop is under way the calling thread waits for the end
/// instead of returning: it must not act on a child that was stopped under it.
void remove_child(int pid);

using PathId = std::uint64_t;
/// Runs `create`, which makes a file or directory and returns its path, with the registry
/// locked, and registers the path for removal if a stop signal comes. While a stop is under way
/// the calling thread waits for the end instead.
PathId add_path(const std::function<std::filesystem::path()>& create);
void remove_path(PathId id);

}  // namespace stop_signals

/// `path` (which need not exist yet: a file a child will write) is removed if a stop signal
/// comes while this object lives.
class RemoveOnStop {
 public:
  explicit RemoveOnStop(std::filesystem::path path);
  ~RemoveOnStop();
  RemoveOnStop(const RemoveOnStop&) = delete;
  RemoveOnStop& operator=(const RemoveOnStop&) = delete;

 private:
  stop_signals::PathId id_;
};

}  // namespace kiln
