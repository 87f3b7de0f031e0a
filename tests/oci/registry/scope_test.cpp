#include "oci/registry/scope.h"

#include <gtest/gtest.h>

namespace kiln::oci {

TEST(Scope, Formats) {
  EXPECT_EQ(scope::pull("team/app"), "repository:team/app:pull");
  EXPECT_EQ(scope::push("team/app"), "repository:team/app:push,pull");
}

// After a 401 the registry's scopes come first, then ours, without duplicates.
TEST(Scope, MergesRequestedFirst) {
  const std::vector<std::string> current = {"repository:a:push,pull"};
  EXPECT_EQ(scope::merge(current, {"repository:b:pull", "repository:a:push,pull"}),
            (std::vector<std::string>{"repository:b:pull", "repository:a:push,pull"}));
  EXPECT_EQ(scope::merge(current, {}), current);
  EXPECT_EQ(scope::merge({}, {"x", "", "x"}), (std::vector<std::string>{"x"}));
}

TEST(Scope, CacheKeyIgnoresOrder) {
  EXPECT_EQ(scope::cache_key({"a", "b"}), scope::cache_key({"b", "a"}));
  EXPECT_NE(scope::cache_key({"a"}), scope::cache_key({"a", "b"}));
}

}  // namespace kiln::oci
