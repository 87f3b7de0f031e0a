#include "oci/registry/challenge.h"

#include <gtest/gtest.h>

namespace kiln::oci {

TEST(Challenge, ParsesBasic) {
  auto c = pick_challenge(R"(Basic realm="basic-realm")");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->scheme, "basic");
  EXPECT_EQ(c->param("realm"), "basic-realm");
}

// The form Distribution sends in token mode, with several space-separated scopes.
TEST(Challenge, ParsesBearerWithScopes) {
  auto c = pick_challenge(
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:test/t:pull,push repository:other/r:pull",error="insufficient_scope")");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->scheme, "bearer");
  EXPECT_EQ(c->param("realm"), "https://auth.example/token");
  EXPECT_EQ(c->param("service"), "registry.example");
  EXPECT_EQ(c->param("error"), "insufficient_scope");
  EXPECT_EQ(c->scopes(), (std::vector<std::string>{"repository:test/t:pull,push", "repository:other/r:pull"}));
}

TEST(Challenge, HandlesCaseSpacingEscapesAndTokens) {
  auto all = parse_challenges(R"(BEARER  Realm = "https://a/t?x=\"y\"" , Service=reg , scope="")");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].scheme, "bearer");
  EXPECT_EQ(all[0].param("realm"), R"(https://a/t?x="y")");
  EXPECT_EQ(all[0].param("service"), "reg");
  EXPECT_TRUE(all[0].scopes().empty());
}

TEST(Challenge, SplitsSeveralChallengesAndPicksFirstKnown) {
  auto all = parse_challenges(R"(Negotiate abc, Basic realm="r1", Bearer realm="https://t",service="s")");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].scheme, "negotiate");
  EXPECT_EQ(all[1].scheme, "basic");
  EXPECT_EQ(all[1].param("realm"), "r1");
  EXPECT_EQ(all[2].param("service"), "s");
  EXPECT_EQ(pick_challenge(R"(Negotiate, Bearer realm="https://t")")->scheme, "bearer");
  EXPECT_FALSE(pick_challenge("Negotiate"));
  EXPECT_FALSE(pick_challenge(""));
}

}  // namespace kiln::oci
