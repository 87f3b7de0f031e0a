#include "core/stop_signals.h"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <fstream>
#include <sstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/remove_tree.h"

namespace kiln {
namespace {

using Clock = std::chrono::steady_clock;

// Where a thread goes when the stop thread is about to end the process: it must not start
// anything new nor carry on with a child that was stopped under it.
[[noreturn]] void wait_for_the_end(std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  while (true) std::this_thread::sleep_for(std::chrono::hours(1));
}

// Any process of the group still running? kill(-pgid, 0) also counts zombies, which an init
// that does not reap (a container's shell as pid 1) may keep for ever: those are looked for in
// /proc. Without /proc the group counts as running.
bool group_alive(int pgid) {
  if (::kill(-pgid, 0) != 0 && errno == ESRCH) return false;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(it->path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    // "pid (comm) state ppid pgrp ...": comm may hold anything, so from the last ')'.
    std::istringstream fields(stat.substr(std::min(stat.rfind(')') + 1, stat.size())));
    char state = 0;
    int ppid = 0, group = 0;
    if (fields >> state >> ppid >> group && group == pgid && state != 'Z') return true;
  }
  return static_cast<bool>(ec);  // /proc could not be read through
}

class Registry {
 public:
  // Never destroyed: the stop thread may still use it while the main thread runs static
  // destructors on its way out.
  static Registry& instance() {
    static Registry* const registry = new Registry;
    return *registry;
  }

  int add_child(const std::function<int()>& spawn, const std::string& name, bool own_group) {
    std::unique_lock lock(mutex_);
    if (stopping_) wait_for_the_end(lock);
    const int pid = spawn();
    children_[pid] = Child{.name = name, .own_group = own_group};
    return pid;
  }

  void remove_child(int pid) {
    std::unique_lock lock(mutex_);
    children_.erase(pid);
    changed_.notify_all();
    if (stopping_) wait_for_the_end(lock);
  }

  stop_signals::PathId add_path(const std::function<std::filesystem::path()>& create) {
    std::unique_lock lock(mutex_);
    if (stopping_) wait_for_the_end(lock);
    const stop_signals::PathId id = ++last_path_id_;
    paths_[id] = create();
    return id;
  }

  void remove_path(stop_signals::PathId id) {
    const std::lock_guard lock(mutex_);
    paths_.erase(id);
  }

  void ignore_from_now() {
    std::unique_lock lock(mutex_);
    if (stopping_) wait_for_the_end(lock);
    exiting_ = true;
  }

  // Runs on the stop thread: ends the process unless main() has finished its work already.
  void stop(int signal) {
    std::unique_lock lock(mutex_);
    if (exiting_) return;
    stopping_ = true;
    const std::string signal_name = fmt::format("SIG{}", ::sigabbrev_np(signal) ? ::sigabbrev_np(signal) : "?");
    std::string stopped;
    std::vector<int> groups;
    for (const auto& [pid, child] : children_) {
      stopped += fmt::format("{}{} (pid {})", stopped.empty() ? "" : ", ", child.name, pid);
      ::kill(child.own_group ? -pid : pid, signal);
      if (child.own_group) groups.push_back(pid);
    }
    spdlog::warn("{} received: stopping{}{}, removing temporary files", signal_name, stopped.empty() ? "" : " ",
                 stopped);
    if (!wait_for_children(lock, groups, Clock::now() + kChildStopGrace)) {
      for (const auto& [pid, child] : children_) ::kill(child.own_group ? -pid : pid, SIGKILL);
      for (int pgid : groups)
        if (group_alive(pgid)) ::kill(-pgid, SIGKILL);
      wait_for_children(lock, groups, Clock::now() + std::chrono::seconds(1));
    }
    // The lock stays held: nothing new is registered while the paths go.
    for (const auto& [id, path] : paths_) remove_tree(path);
    spdlog::default_logger()->flush();
    ::_exit(128 + signal);
  }

 private:
  struct Child {
    std::string name;
    bool own_group = false;
  };

  // Until every registered child is reaped and every signalled group is empty.
  bool wait_for_children(std::unique_lock<std::mutex>& lock, const std::vector<int>& groups, Clock::time_point until) {
    auto done = [&] {
      if (!children_.empty()) return false;
      for (int pgid : groups)
        if (group_alive(pgid)) return false;
      return true;
    };
    // Polled as well as notified: a group's last member may be reaped by someone else (init).
    while (!done()) {
      if (Clock::now() >= until) return false;
      changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
    return true;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<int, Child> children_;
  std::map<stop_signals::PathId, std::filesystem::path> paths_;
  stop_signals::PathId last_path_id_ = 0;
  bool stopping_ = false;
  bool exiting_ = false;
};

sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, signal);
  return set;
}

}  // namespace

void exit_cleanly_on_stop_signals() {
  const sigset_t set = stop_signal_set();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int signal = 0;
    while (::sigwait(&set, &signal) != 0) {
    }
    Registry::instance().stop(signal);
  }).detach();
}

void ignore_stop_signals_from_now() { Registry::instance().ignore_from_now(); }

namespace stop_signals {

int add_child(const std::function<int()>& spawn, const std::string& name, bool own_group) {
  return Registry::instance().add_child(spawn, name, own_group);
}

void remove_child(int pid) { Registry::instance().remove_child(pid); }

PathId add_path(const std::function<std::filesystem::path()>& create) { return Registry::instance().add_path(create); }

void remove_path(PathId id) { Registry::instance().remove_path(id); }

}  // namespace stop_signals

RemoveOnStop::RemoveOnStop(std::filesystem::path path)
    : id_(stop_signals::add_path([&] { return std::move(path); })) {}

RemoveOnStop::~RemoveOnStop() { stop_signals::remove_path(id_); }

}  // namespace kiln
