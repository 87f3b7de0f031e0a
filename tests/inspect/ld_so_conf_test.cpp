#include "inspect/ld_so_conf.h"

#include <gtest/gtest.h>

#include "tests/inspect/memory_tree.h"

namespace kiln::inspect {
namespace {

using testing::MemoryTree;

TEST(LdSoConf, DebianLayoutWithSortedIncludes) {
  MemoryTree tree;
  tree.dir("/etc").dir("/etc/ld.so.conf.d");
  tree.file("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n");
  tree.file("/etc/ld.so.conf.d/x86_64-linux-gnu.conf",
            "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n");
  tree.file("/etc/ld.so.conf.d/libc.conf", "# libc default configuration\n/usr/local/lib\n");
  tree.file("/etc/ld.so.conf.d/README", "/not/a/conf\n");
  tree.file("/etc/ld.so.conf.d/.hidden.conf", "/hidden\n");
  EXPECT_EQ(ld_so_conf_directories(tree),
            (std::vector<std::string>{"/usr/local/lib", "/usr/local/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
                                      "/usr/lib/x86_64-linux-gnu"}));
}

TEST(LdSoConf, LinesAsLdconfigReadsThem) {
  MemoryTree tree;
  tree.dir("/etc").dir("/etc/conf.d").dir("/opt");
  tree.file("/etc/ld.so.conf",
            "  /opt/a/   # trailing slash and comment\n"
            "\n"
            "relative/dir\n"            // ldconfig refuses relative directories
            "hwcap 1 nosegneg\n"        // obsolete; ignored
            "include conf.d/one.conf conf.d/two.conf\n"  // relative to /etc, several patterns
            "/opt/a\n"                  // listed once
            "include /etc/ld.so.conf\n");  // includes itself: bounded, no hang
  tree.file("/etc/conf.d/one.conf", "/opt/one\n").file("/etc/conf.d/two.conf", "/opt/two\r\n");
  EXPECT_EQ(ld_so_conf_directories(tree), (std::vector<std::string>{"/opt/a", "/opt/one", "/opt/two"}));
}

TEST(LdSoConf, IncludesGoThroughLinksInsideTheImage) {
  MemoryTree tree;
  tree.dir("/etc").dir("/real").file("/real/a.conf", "/opt/linked\n").link("/etc/conf.d", "../real");
  tree.file("/etc/ld.so.conf", "include /etc/conf.d/*.conf\n");
  EXPECT_EQ(ld_so_conf_directories(tree), (std::vector<std::string>{"/opt/linked"}));
}

TEST(LdSoConf, NoFileNoDirectories) {
  MemoryTree tree;
  EXPECT_TRUE(ld_so_conf_directories(tree).empty());
}

}  // namespace
}  // namespace kiln::inspect
