// A comment, help text or document of kiln may point only where its reader can follow: a file of
// this repository or a public address. Notes that live beside the project while it is developed
// (its design card, its research notes, its issue tracker) are not in a clone, so citing them
// ("research §4.2", "issue 5", "../shared/...") leaves the reader with a dead reference; the fact
// itself belongs in the text.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/ship/source_tree.h"

namespace kiln::ship {
namespace {
namespace fs = std::filesystem;

bool is_text_we_write(const fs::path& p) {
  static const std::set<std::string> kExtensions = {".h", ".cpp", ".c", ".sh", ".cmake", ".md", ".yaml", ".yml", ".py",
                                                    ".in"};
  const std::string name = p.filename();
  return kExtensions.contains(p.extension().string()) || name == "CMakeLists.txt" || name == "Dockerfile" ||
         p.parent_path().filename() == "ci";
}

bool skipped_directory(const fs::path& p) {
  const std::string name = p.filename();
  return name.starts_with(".") || name.starts_with("build") || name == "third_party";
}

std::vector<std::string> dead_references(const fs::path& file) {
  static const RE2 kCitation(
      R"(research ?§|research/[a-z-]+\.md|plugin-contract\.md|\.\./shared/(research|schemas|DESIGN|STYLE)|\bDESIGN\.md\b|\bSTYLE\.md\b|\b[Ii]ssue [0-9]+\b)");
  std::vector<std::string> out;
  std::ifstream in(file);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (RE2::PartialMatch(line, kCitation))
      out.push_back(fs::relative(file, kSource).string() + ":" + std::to_string(number) + ": " + line);
  }
  return out;
}

TEST(Citations, NoTextOfTheRepositoryCitesNotesOutsideIt) {
  const fs::path self = fs::path(__FILE__).filename();
  std::vector<std::string> found;
  std::size_t files = 0;
  for (auto it = fs::recursive_directory_iterator(kSource); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && skipped_directory(it->path())) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || !is_text_we_write(it->path()) || it->path().filename() == self) continue;
    ++files;
    for (auto& hit : dead_references(it->path())) found.push_back(std::move(hit));
  }
  EXPECT_GT(files, 300u) << "the walk found too few files to mean anything";
  std::string listing;
  for (const auto& hit : found) listing += hit + "\n";
  EXPECT_TRUE(found.empty()) << "state the fact or link a public source instead of:\n" << listing;
}

TEST(Citations, ThePatternCatchesEachFormOfDeadReference) {
  const fs::path dir = fs::temp_directory_path() / ("kiln-citations-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / "sample.h";
  std::ofstream(file) << "// fine: see docs/security.md\n"
                         "// as research \xC2\xA7" "4.2 says\n"
                         "// see issue 14\n"
                         "// ../shared/research/verify.md\n"
                         "// DESIGN.md's layers\n"
                         "// kaniko issue #1234 is public and fine\n";
  const auto hits = dead_references(file);
  fs::remove_all(dir);
  EXPECT_EQ(hits.size(), 4u);
}

}  // namespace
}  // namespace kiln::ship
