#pragma once
// What /proc says about the processes on this machine, for tests that check which children a
// program started, what their argv held and whether they are gone. Processes that exit while
// being read are skipped, never an error.
#include <map>
#include <string>
#include <vector>

namespace kiln::testing {

/// pid -> parent pid, for every process now.
std::map<int, int> process_parents();

/// /proc/<pid>/cmdline with its NULs as spaces; empty once the process is gone.
std::string process_cmdline(int pid);

/// False once `pid` has exited, zombie included (kill(pid, 0) still succeeds for a zombie).
bool process_alive(int pid);

/// The descendants of `ancestor` now (children, grandchildren, ...), not `ancestor` itself.
std::vector<int> process_descendants(int ancestor);

}  // namespace kiln::testing
