// ARCHITECTURE.md's table of layers is the include graph: every `#include "<layer>/..."` of a
// layer's sources must be one its row allows, and every dependency the table claims must be one
// the code has, so the document cannot drift from the tree (go-containerregistry's depcheck
// tests do the same for its packages).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/ship/source_tree.h"
#include "tests/support/files.h"

namespace kiln::ship {
namespace {
namespace fs = std::filesystem;
using kiln::testing::read_file;

// Folders outside the layer graph: tests may include anything, the launcher is plain C with no
// includes of ours, fuzz targets reach whatever they fuzz, the rest holds no C++.
const std::set<std::string> kOutsideTheGraph = {"tests", "bundle", "fuzz", "ci", "cmake", "deploy", "docs", "examples"};

struct Layer {
  std::set<std::string> may_include;
};

std::map<std::string, Layer> documented_layers() {
  const std::string doc = read_file(kSource / "ARCHITECTURE.md");
  const auto from = doc.find("<!-- layers:start -->");
  const auto to = doc.find("<!-- layers:end -->");
  if (from == std::string::npos || to == std::string::npos) return {};
  std::map<std::string, Layer> layers;
  std::istringstream rows(doc.substr(from, to - from));
  const std::regex row(R"(^\| `([a-z_]+)` \|.*\| *([^|]*)\|$)");
  const std::regex name("`([a-z_]+)`");
  for (std::string line; std::getline(rows, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    Layer layer;
    const std::string allowed = m[2];
    for (std::sregex_iterator it(allowed.begin(), allowed.end(), name), end; it != end; ++it)
      layer.may_include.insert((*it)[1]);
    layers[m[1]] = layer;
  }
  return layers;
}

bool is_source(const fs::path& p) {
  const auto ext = p.extension();
  return ext == ".h" || ext == ".cpp" || ext == ".c";
}

std::set<std::string> source_folders() {
  std::set<std::string> out;
  for (const auto& top : fs::directory_iterator(kSource)) {
    const std::string name = top.path().filename();
    if (!top.is_directory() || name.starts_with(".") || name.starts_with("build") || kOutsideTheGraph.count(name)) continue;
    for (const auto& f : fs::recursive_directory_iterator(top.path()))
      if (f.is_regular_file() && is_source(f.path())) {
        out.insert(name);
        break;
      }
  }
  return out;
}

struct Include {
  std::string file;  ///< relative to the source root
  int line;
  std::string target_layer;
};

std::vector<Include> includes_of(const std::string& layer, const std::set<std::string>& top_folders) {
  std::vector<Include> out;
  const std::regex include(R"(^\s*#\s*include\s+"([a-z_]+)/)");
  for (const auto& f : fs::recursive_directory_iterator(kSource / layer)) {
    if (!f.is_regular_file() || !is_source(f.path())) continue;
    std::ifstream in(f.path());
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      ++n;
      std::smatch m;
      if (std::regex_search(line, m, include) && top_folders.count(m[1]))
        out.push_back({fs::relative(f.path(), kSource).string(), n, m[1]});
    }
  }
  return out;
}

std::set<std::string> all_top_folders() {
  std::set<std::string> out;
  for (const auto& top : fs::directory_iterator(kSource))
    if (top.is_directory()) out.insert(top.path().filename());
  return out;
}

TEST(Architecture, EveryFolderWithSourcesIsADocumentedLayer) {
  const auto layers = documented_layers();
  ASSERT_FALSE(layers.empty()) << "ARCHITECTURE.md lacks the table between <!-- layers:start --> and <!-- layers:end -->";
  for (const auto& folder : source_folders())
    EXPECT_TRUE(layers.count(folder)) << folder << "/ holds sources but is not a layer in ARCHITECTURE.md";
  for (const auto& [name, layer] : layers)
    EXPECT_TRUE(fs::is_directory(kSource / name)) << "ARCHITECTURE.md names a layer " << name << " that does not exist";
}

TEST(Architecture, EveryIncludeIsOneTheLayerTableAllows) {
  const auto layers = documented_layers();
  const auto top = all_top_folders();
  for (const auto& [name, layer] : layers) {
    if (!fs::is_directory(kSource / name)) continue;
    for (const auto& inc : includes_of(name, top)) {
      if (inc.target_layer == name) continue;
      EXPECT_TRUE(layer.may_include.count(inc.target_layer))
          << inc.file << ":" << inc.line << ": " << name << " includes " << inc.target_layer
          << "/, which its row in ARCHITECTURE.md does not allow";
    }
  }
}

TEST(Architecture, EveryDocumentedDependencyIsReal) {
  const auto layers = documented_layers();
  const auto top = all_top_folders();
  for (const auto& [name, layer] : layers) {
    if (!fs::is_directory(kSource / name)) continue;
    std::set<std::string> used;
    for (const auto& inc : includes_of(name, top)) used.insert(inc.target_layer);
    for (const auto& allowed : layer.may_include)
      EXPECT_TRUE(used.count(allowed)) << "ARCHITECTURE.md says " << name << " uses " << allowed
                                       << ", but nothing in " << name << "/ includes " << allowed << "/";
  }
}

}  // namespace
}  // namespace kiln::ship
