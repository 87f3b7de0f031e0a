// .dockerignore rules: plugin/dockerfile/dockerignore.cpp
#include <gtest/gtest.h>

#include "core/error.h"
#include "plugin/dockerfile/dockerfile.h"

namespace kiln::plugin {

TEST(DockerIgnore, Matches) {
  struct Case {
    std::string_view rules;
    std::string_view path;
    bool excluded;
  };
  const Case cases[] = {
      {"*.md", "README.md", true},
      {"*.md", "docs/README.md", false},        // '*' stays in one directory
      {"**/*.md", "docs/a/README.md", true},
      {"**/*.md", "README.md", true},           // "**" may match no directory
      {"**/*.go\n!keep.go", "keep.go", false},
      {"**/*.go\n!keep.go", "sub/keep.go", true},
      {"**/*.go\n!**/keep.go", "sub/keep.go", false},
      {"!keep.go\n**/*.go", "keep.go", true},    // the last matching rule wins
      {"dir/", "dir", true},
      {"dir/", "dir/a/b.txt", true},            // under an excluded directory
      {"dir", "dirt/a", false},
      {"dir\n!dir/keep", "dir/keep", false},
      {"dir\n!dir/keep", "dir/keep/x", false},
      {"dir\n!dir/keep", "dir/other", true},
      {"/build", "build/out", true},            // a leading '/' is the context root
      {"./build/../dist//", "dist/x", true},    // patterns are cleaned
      {"a/**", "a/b/c", true},
      {"a/**/z", "a/z", true},
      {"a/**/z", "a/b/c/z", true},
      {"a/**/z", "b/a/z", false},
      {"?.txt", "a.txt", true},
      {"?.txt", "ab.txt", false},
      {"[a-c].txt", "b.txt", true},
      {"[^a-c].txt", "b.txt", false},
      {"[^a-c].txt", "d.txt", true},
      {"a+b(c).txt", "a+b(c).txt", true},       // regex characters are literal
      {"a.txt", "abtxt", false},
      {"\\*.txt", "*.txt", true},
      {"\\*.txt", "a.txt", false},
      {"# comment\n\n  *.log  \n", "x.log", true},
      {" #x", "#x", true},                      // only a '#' in the first column comments
      {"*.log\n! x.log", "x.log", false},
      {"", "anything", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DockerIgnore::parse(c.rules).excluded(c.path), c.excluded) << c.rules << " / " << c.path;
  }
  EXPECT_TRUE(DockerIgnore::parse("# only comments\n").empty());
}

TEST(DockerIgnore, Errors) {
  struct Case {
    std::string_view rules;
    std::string_view error;
  };
  const Case cases[] = {
      {"a\n!\n", ".dockerignore:2: illegal exclusion pattern: \"!\""},
      {"ok\n[a-\n", ".dockerignore:2: bad pattern '[a-': unclosed '['"},
      {"[z-a]", ".dockerignore:1: bad pattern '[z-a]': invalid character class range: z-a"},
  };
  for (const Case& c : cases) {
    try {
      DockerIgnore::parse(c.rules);
      ADD_FAILURE() << "no error for " << c.rules;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      EXPECT_EQ(std::string_view(e.what()), c.error);
    }
  }
}

}  // namespace kiln::plugin
