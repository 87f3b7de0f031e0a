#include "bench/workload.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace kiln::bench {
namespace fs = std::filesystem;

// Real machine code compresses like a real application binary; zeros or random bytes do not.
void write_real_binary_bytes(const std::filesystem::path& out_path, std::size_t bytes, std::size_t skip) {
  std::vector<fs::path> sources;
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu", "/usr/bin", "/usr/libexec"}) {
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec))
      if (e.is_regular_file(ec) && !e.is_symlink(ec) && e.file_size(ec) > 4096) sources.push_back(e.path());
  }
  std::sort(sources.begin(), sources.end());
  std::ofstream out(out_path, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  std::size_t written = 0, skipped = 0;
  for (const auto& src : sources) {
    std::ifstream in(src, std::ios::binary);
    char magic[4] = {};
    if (!in.read(magic, 4) || std::string_view(magic, 4) != "\x7f" "ELF") continue;
    in.seekg(0);
    while (written < bytes) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      if (in.gcount() <= 0) break;
      std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(in.gcount()), bytes - written);
      if (skipped < skip) { skipped += n; continue; }  // the base gets other bytes than the binary
      out.write(buffer.data(), static_cast<std::streamsize>(n));
      written += n;
    }
    if (written >= bytes) return;
  }
  throw std::runtime_error("not enough ELF files on this machine to make the workload");
}

std::optional<WorkloadOptions> parse_workload_flags(int argc, char** argv) {
  WorkloadOptions options;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "flag " << flag << " needs a value\n";
      return std::nullopt;
    }
    if (flag == "--runs") options.runs = std::stoi(argv[i + 1]);
    else if (flag == "--binary-mb") options.binary_mb = std::stoul(argv[i + 1]);
    else if (flag == "--base-mb") options.base_mb = std::stoul(argv[i + 1]);
    else {
      std::cerr << "unknown flag " << flag << " (known: --runs, --binary-mb, --base-mb)\n";
      return std::nullopt;
    }
  }
  return options;
}

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v.front(), v[v.size() / 2], v.back()};
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double reaped_children_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double process_cpu_seconds(int pid, bool with_reaped_children) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string line((std::istreambuf_iterator<char>(in)), {});
  const auto after_name = line.rfind(')');  // the name may hold spaces and parentheses
  if (after_name == std::string::npos) throw std::runtime_error(fmt::format("no /proc/{}/stat", pid));
  // Fields 3.. follow the name; utime, stime, cutime, cstime are fields 14-17.
  std::istringstream fields(line.substr(after_name + 2));
  std::vector<std::string> f((std::istream_iterator<std::string>(fields)), {});
  if (f.size() < 15) throw std::runtime_error(fmt::format("short /proc/{}/stat", pid));
  double ticks = std::stod(f[11]) + std::stod(f[12]);
  if (with_reaped_children) ticks += std::stod(f[13]) + std::stod(f[14]);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double milliseconds_of(const std::function<void()>& once) {
  const auto start = std::chrono::steady_clock::now();
  once();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

void print_row(const std::string& name, const Stats& s, const std::string& note) {
  std::cout << fmt::format("  {:<40} {:>8.3f} {:>8.3f} {:>8.3f}  {}\n", name, s.median, s.min, s.max, note);
}

}  // namespace kiln::bench
