#include "plugin/summary.h"

#include <gtest/gtest.h>

namespace kiln::plugin {

TEST(Outputs, Summary) {
  const std::string digest = "sha256:" + std::string(64, 'b');
  const auto ref = oci::Reference::parse("registry.example.com/team/app:1.0");
  const BuildResult result{.digest = oci::Digest::parse(digest), .media_type = "", .pushed = {ref},
                           .layers_uploaded = 2, .layer_bytes_uploaded = 21839189, .base_layers_copied = 1, .backend = "kaniko"};
  EXPECT_EQ(build_summary(result, std::chrono::milliseconds(1234)),
            "kiln summary:\n"
            "  pushed   registry.example.com/team/app:1.0@" + digest + "\n"
            "  digest   " + digest + "\n"
            "  backend  kaniko\n"
            "  layers   2 new layer(s) uploaded (21839189 bytes), 1 base layer(s) copied\n"
            "  time     1.2s\n");
  BuildResult dry = result;
  dry.pushed.clear();
  dry.tar_path = "/out/image.tar";
  EXPECT_NE(build_summary(dry, std::chrono::milliseconds(1)).find("  backend  kaniko\n  tarball  /out/image.tar\n"),
            std::string::npos);
}

TEST(Outputs, GitlabSections) {
  EXPECT_EQ(gitlab_section_start(1700000000, "kiln_build", "Building x"),
            "\x1b[0Ksection_start:1700000000:kiln_build[collapsed=true]\r\x1b[0KBuilding x\n");
  EXPECT_EQ(gitlab_section_end(1700000001, "kiln_build"), "\x1b[0Ksection_end:1700000001:kiln_build\r\x1b[0K\n");
}

}  // namespace kiln::plugin
