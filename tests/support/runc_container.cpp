#include "tests/support/runc_container.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

std::atomic<int> counter{0};

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

}  // namespace

RuncContainer::RuncContainer()
    : id_("kiln-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)) {
  std::filesystem::create_directories(rootfs());
  std::filesystem::create_directories(state());
  run_ok({"runc", "spec", "--bundle", bundle()});
}

RuncContainer::~RuncContainer() { run_process({"runc", "--root", state(), "delete", "-f", id_}); }

ProcessResult RuncContainer::run(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  run_process({"runc", "--root", state(), "delete", "-f", id_});
  auto config = read_json(dir_.path() / "config.json");
  config["process"]["terminal"] = false;
  config["process"]["args"] = args;
  config["process"]["env"] = env;
  config["root"]["readonly"] = true;
  std::ofstream(dir_.path() / "config.json") << config.dump();
  ProcessOptions options;
  options.timeout = std::chrono::seconds(60);
  return run_process({"runc", "--root", state(), "run", "--bundle", bundle(), id_}, options);
}

}  // namespace kiln::testing
