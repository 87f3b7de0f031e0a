// container-structure-test's command line as its users type it.
#include "verify/cli/cst_flags.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::verify {
namespace {

using Args = std::vector<std::string>;

TEST(CstFlags, RepeatedConfigsAccumulateInOrder) {
  EXPECT_EQ(translate_cst_flags({"test", "--image", "ubuntu:22.04", "--config", "a.yaml", "-c", "b.yaml",
                                 "--config=c,d.yaml"}),
            (Args{"--image", "ubuntu:22.04", "--config", R"(["a.yaml","b.yaml","c","d.yaml"])"}));
}

TEST(CstFlags, OneConfigKeepsKilnsListSyntax) {
  EXPECT_EQ(translate_cst_flags({"--config", "a.yaml,b.yaml", "--driver", "local"}),
            (Args{"--config", "a.yaml,b.yaml", "--driver", "local"}));
}

TEST(CstFlags, ShortFlagsBecomeKilnsLongOnes) {
  EXPECT_EQ(translate_cst_flags({"-i", "app.tar", "-o", "junit", "-q", "-d", "tar", "-j"}),
            (Args{"--image", "app.tar", "--output", "junit", "--quiet", "--driver", "tar", "--output", "json"}));
  EXPECT_EQ(translate_cst_flags({"--test-report", "r.xml", "--no-color"}), (Args{"--test-report", "r.xml", "--no-color"}));
  EXPECT_THROW(translate_cst_flags({"--image", "x", "-c"}), Error);
}

}  // namespace
}  // namespace kiln::verify
