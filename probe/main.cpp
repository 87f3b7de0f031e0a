// kiln-probe: runs inside the image under test (copied in by the local or kubernetes driver)
// and answers a FactRequest with one line of JSON on stdout. Nothing else ever goes to stdout,
// because the driver parses it (from runc's stdout, or from the pod's log); diagnostics go to
// stderr. Exit 0 when facts were gathered (failed commands are facts), 2 for a bad request or
// bad arguments, 3 when the probe itself could not work.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/unique_fd.h"
#include "inspect/base64.h"
#include "inspect/directory_tree.h"
#include "inspect/gather.h"
#include "inspect/process_runner.h"

namespace {

using kiln::throw_infra;
using kiln::throw_usage;

constexpr const char* kUsage =
    "usage: kiln-probe check [--request FILE] [--root DIR] [--cgroup DIR]\n"
    "       kiln-probe install DIR\n"
    "       kiln-probe --version\n"
    "\n"
    "check    reads a fact request (JSON) from FILE, or base64-encoded from the environment\n"
    "         variable KILN_PROBE_REQUEST, and prints the facts as one JSON line. --root reads\n"
    "         files below DIR instead of / (commands then are not run).\n"
    "install  copies this binary to DIR/kiln-probe (mode 0755), for images without cp.\n";

constexpr const char* kRequestVariable = "KILN_PROBE_REQUEST";
constexpr std::size_t kMaxRequestBytes = 16 * 1024 * 1024;

std::string read_request_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_usage("cannot read request file " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxRequestBytes) throw_usage("request file " + path + " is larger than 16 MiB");
  return text.str();
}

kiln::inspect::FactRequest parse_request(const std::string& text, const std::string& source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw_usage("request from " + source + " is not JSON: " + e.what());
  }
  try {
    return kiln::inspect::fact_request_from_json(doc);
  } catch (const kiln::Error& e) {
    throw_usage(source + ": " + e.what());
  }
}

int check(const std::vector<std::string>& args) {
  std::string request_file, root = "/", cgroup;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--request" || args[i] == "--root" || args[i] == "--cgroup") && i + 1 < args.size()) {
      (args[i] == "--request" ? request_file : args[i] == "--root" ? root : cgroup) = args[i + 1];
      ++i;
    } else {
      throw_usage("check: unknown or incomplete argument \"" + args[i] + "\"\n" + kUsage);
    }
  }
  std::string text, source;
  if (!request_file.empty()) {
    text = read_request_file(request_file);
    source = request_file;
  } else if (const char* value = std::getenv(kRequestVariable)) {
    source = kRequestVariable;
    // `base64` wraps its output at 76 columns; the line breaks are not part of the encoding.
    std::string encoded(value);
    std::erase_if(encoded, [](char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; });
    try {
      text = kiln::inspect::base64_decode(encoded, kRequestVariable);
    } catch (const kiln::Error& e) {
      throw_usage(e.what());
    }
  } else {
    throw_usage(std::string("check: no request: give --request FILE or set ") + kRequestVariable);
  }
  const auto request = parse_request(text, source);

  const kiln::inspect::DirectoryTree tree(root);
  kiln::inspect::ProcessRunner runner(cgroup);
  // Commands run in the probe's own filesystem; with --root the files are elsewhere, and a
  // command would not see them, so it is not run at all.
  const bool own_root = root == "/";
  const auto facts = kiln::inspect::gather_facts(request, tree, own_root ? &runner : nullptr,
                                                 "commands are not run when kiln-probe reads a --root other than /");
  // replace: a file name that is not UTF-8 must not cost the whole answer.
  const std::string line = kiln::inspect::to_json(facts).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::cout << line << '\n' << std::flush;
  if (!std::cout) throw_infra("cannot write the facts to stdout");
  return 0;
}

// The Kubernetes init container runs this in the probe's own scratch image, where there is no
// cp: the binary copies itself into the shared emptyDir. Written beside the target and renamed
// so the check container never sees half a binary.
int install(const std::vector<std::string>& args) {
  if (args.size() != 1) throw_usage(std::string("install: expected one directory\n") + kUsage);
  const std::string target = args[0] + "/kiln-probe", temporary = target + ".partial";
  const kiln::UniqueFd in(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!in) throw_infra(std::string("install: cannot open /proc/self/exe: ") + std::strerror(errno));
  kiln::UniqueFd out(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755));
  if (!out) throw_infra("install: cannot create " + temporary + ": " + std::strerror(errno));
  std::vector<char> buffer(1 << 16);
  while (true) {
    const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_infra(std::string("install: cannot read /proc/self/exe: ") + std::strerror(errno));
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out.get(), buffer.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw_infra("install: cannot write " + temporary + ": " + std::strerror(errno));
      done += w;
    }
  }
  // fchmod: the umask must not take the execute bits away.
  if (::fchmod(out.get(), 0755) != 0 || ::fsync(out.get()) != 0)
    throw_infra("install: cannot finish " + temporary + ": " + std::strerror(errno));
  out.reset();
  if (::rename(temporary.c_str(), target.c_str()) != 0)
    throw_infra("install: cannot rename " + temporary + " to " + target + ": " + std::strerror(errno));
  std::cerr << "kiln-probe: installed " << target << '\n';
  return 0;
}

int run(const std::vector<std::string>& args) {
  if (args.empty()) throw_usage(kUsage);
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "--version") {
    std::cout << "kiln-probe " << KILN_VERSION << '\n';
    return 0;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (args[0] == "check") return check(rest);
  if (args[0] == "install") return install(rest);
  throw_usage("unknown command \"" + args[0] + "\"\n" + kUsage);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const kiln::Error& e) {
    std::cerr << "kiln-probe: " << e.what() << '\n';
    return static_cast<int>(e.exit_class());
  } catch (const std::exception& e) {
    std::cerr << "kiln-probe: internal error: " << e.what() << '\n';
    return 3;
  }
}
