#include "oci/layer/layer_entries.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::oci {
namespace {

LayerEntry file(std::string path, std::string content = "x") {
  LayerEntry e;
  e.path = std::move(path);
  e.content = std::move(content);
  return e;
}

LayerEntry directory(std::string path, std::uint32_t mode) {
  LayerEntry e;
  e.type = LayerEntry::Type::directory;
  e.path = std::move(path);
  e.mode = mode;
  return e;
}

std::vector<std::string> paths_of(const std::vector<LayerEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.path);
  return out;
}

std::string usage_message(const std::vector<LayerEntry>& entries) {
  try {
    plan_layer_entries(entries);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    return e.what();
  }
  return "(no error)";
}

TEST(LayerPath, Normalizes) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"usr/local/app/main", "usr/local/app/main"}, {"/usr/bin/x", "usr/bin/x"},
      {"./etc/passwd", "etc/passwd"},               {".//./a//b/./c/", "a/b/c"},
      {"///opt", "opt"},                            {"dir/", "dir"},
      {"usr/share/ünïcode.txt", "usr/share/ünïcode.txt"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(normalize_layer_path(in), want) << in;
}

TEST(LayerPath, RejectsDotDotRootAndBadUtf8) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"../etc/passwd", "layer entry '../etc/passwd': path must not contain '..'"},
      {"usr/../../x", "layer entry 'usr/../../x': path must not contain '..'"},
      {"/", "layer entry '/': path names the image root, not an entry"},
      {"./", "layer entry './': path names the image root, not an entry"},
      {"", "layer entry '': path names the image root, not an entry"},
      {"bad\xff", R"(layer entry 'bad\xff': path must be UTF-8 without NUL bytes)"},
      {"over\xc0\xaflong", R"(layer entry 'over\xc0\xaflong': path must be UTF-8 without NUL bytes)"},
      {"surrogate\xed\xa0\x80", R"(layer entry 'surrogate\xed\xa0\x80': path must be UTF-8 without NUL bytes)"},
      {std::string_view("nul\0x", 5), R"(layer entry 'nul\x00x': path must be UTF-8 without NUL bytes)"},
  };
  for (const auto& [in, want] : cases) {
    try {
      normalize_layer_path(in);
      ADD_FAILURE() << "accepted " << in;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      EXPECT_EQ(std::string_view(e.what()), want);
    }
  }
  // ".." inside a name is an ordinary name, not a parent reference.
  EXPECT_EQ(normalize_layer_path("a/..b/c.."), "a/..b/c..");
}

// Tree order keeps a directory's subtree together: byte order would put "usr/local-x"
// ('-' is 0x2d) between "usr/local" and "usr/local/x" ('/' is 0x2f).
TEST(LayerPath, SortsByComponents) {
  EXPECT_TRUE(layer_path_less("usr/local", "usr/local/x"));
  EXPECT_TRUE(layer_path_less("usr/local/x", "usr/local-x"));
  EXPECT_TRUE(layer_path_less("a/z", "a.b"));
  EXPECT_TRUE(layer_path_less("usr/z", "usr/ü"));  // UTF-8 bytes compare unsigned
  EXPECT_FALSE(layer_path_less("usr", "usr"));
}

TEST(PlanLayerEntries, AddsParentsInTreeOrder) {
  const auto planned = plan_layer_entries(
      {file("usr/local-x"), file("/usr/local/bin/tool"), file("./usr/local/app/main"), file("etc/a.b"), file("etc/a/b")});
  EXPECT_EQ(paths_of(planned), (std::vector<std::string>{"etc", "etc/a", "etc/a/b", "etc/a.b", "usr", "usr/local",
                                                         "usr/local/app", "usr/local/app/main", "usr/local/bin",
                                                         "usr/local/bin/tool", "usr/local-x"}));
  for (const auto& e : planned) {
    if (e.type == LayerEntry::Type::directory) {
      EXPECT_EQ(e.mode, 0755u) << e.path;
    }
  }
}

TEST(PlanLayerEntries, KeepsGivenDirectoryModes) {
  const auto planned = plan_layer_entries({file("opt/app/run"), directory("opt/", 0700)});
  ASSERT_EQ(paths_of(planned), (std::vector<std::string>{"opt", "opt/app", "opt/app/run"}));
  EXPECT_EQ(planned[0].mode, 0700u);
  EXPECT_EQ(planned[1].mode, 0755u);
}

TEST(PlanLayerEntries, RejectsInvalidSets) {
  LayerEntry both = file("bin/both");
  both.source = "/etc/hostname";
  LayerEntry link;
  link.type = LayerEntry::Type::symlink;
  link.path = "lib";
  link.link_target = "usr/lib";
  LayerEntry no_target = link;
  no_target.link_target.clear();
  const std::pair<std::vector<LayerEntry>, std::string_view> cases[] = {
      {{file("usr/bin/x"), file("/usr/bin/x")}, "layer entry 'usr/bin/x' appears more than once"},
      {{file("./a"), directory("a/", 0755)}, "layer entry 'a' appears more than once"},
      {{file("usr"), file("usr/bin/x")}, "layer entry 'usr/bin/x': parent 'usr' is not a directory"},
      {{link, file("lib/libc.so")}, "layer entry 'lib/libc.so': parent 'lib' is not a directory"},
      {{both}, "layer entry 'bin/both': give a source file or inline content, not both"},
      {{no_target}, "layer entry 'lib': symlink has no target"},
      {{file("x/../../etc/shadow")}, "layer entry 'x/../../etc/shadow': path must not contain '..'"},
  };
  for (const auto& [entries, want] : cases) EXPECT_EQ(usage_message(entries), want);
}

}  // namespace
}  // namespace kiln::oci
