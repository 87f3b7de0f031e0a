// What starting a program costs: core/spawn.h's spawn_child against Poco::Process::launch,
// which kiln used before. Each iteration starts /bin/true and reaps it. The argument is the
// soft descriptor limit (RLIMIT_NOFILE) the parent runs with: Poco closes every descriptor
// number up to it in the child, one close() each, while spawn_child closes them with one
// close_range(). Container runtimes commonly give 1,048,576; the argument 0 stands for the
// hard limit this machine allows, the most the bench can set without CAP_SYS_RESOURCE.
#include <Poco/Process.h>
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "core/spawn.h"

namespace {

// Sets the soft limit for one benchmark run (0: the hard limit); false when it cannot.
class DescriptorLimit {
 public:
  explicit DescriptorLimit(rlim_t soft) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit wanted = saved_;
    wanted.rlim_cur = soft == 0 ? saved_.rlim_max : soft;
    if (wanted.rlim_cur > saved_.rlim_max) wanted.rlim_max = wanted.rlim_cur;  // root may raise it
    ok_ = ::setrlimit(RLIMIT_NOFILE, &wanted) == 0;
  }
  ~DescriptorLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  DescriptorLimit(const DescriptorLimit&) = delete;
  DescriptorLimit& operator=(const DescriptorLimit&) = delete;
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

void BM_SpawnChild(benchmark::State& state) {
  const DescriptorLimit limit(static_cast<rlim_t>(state.range(0)));
  if (!limit.ok()) return state.SkipWithError("cannot set RLIMIT_NOFILE");
  const kiln::SpawnSpec spec{.argv = {"/bin/true"}};
  for (auto _ : state) {
    const int pid = kiln::spawn_child(spec);
    ::waitpid(pid, nullptr, 0);
  }
}

void BM_PocoLaunch(benchmark::State& state) {
  const DescriptorLimit limit(static_cast<rlim_t>(state.range(0)));
  if (!limit.ok()) return state.SkipWithError("cannot set RLIMIT_NOFILE");
  const Poco::Process::Args no_args;
  for (auto _ : state) {
    Poco::ProcessHandle child = Poco::Process::launch("/bin/true", no_args);
    child.wait();
  }
}

BENCHMARK(BM_SpawnChild)->Arg(1024)->Arg(0)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PocoLaunch)->Arg(1024)->Arg(0)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
