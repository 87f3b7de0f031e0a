// Secret redaction: a permanent registration, a scoped one that ends with its scope (a server's
// per-build credentials), and counting when both hold the same value.
#include "core/log.h"

#include <gtest/gtest.h>

#include <memory>

namespace kiln::log {

TEST(Log, ScopedSecretsAreRedactedWhileTheirScopeLives) {
  {
    const ScopedSecrets build({"build-password-1", "ctx"});
    EXPECT_EQ(redact("login build-password-1 ok"), "login **** ok");
    EXPECT_EQ(redact("ctx stays"), "ctx stays") << "values under 4 characters are never redacted";
  }
  EXPECT_EQ(redact("login build-password-1 ok"), "login build-password-1 ok") << "gone with the build";
}

TEST(Log, ARegistrationHeldTwiceLastsUntilBothAreGone) {
  add_secret("process-wide-token");
  {
    const ScopedSecrets build({"process-wide-token", "shared-build-secret"});
    const ScopedSecrets other({"shared-build-secret"});
  }
  EXPECT_EQ(redact("process-wide-token"), "****") << "the permanent registration outlives the scoped one";
  EXPECT_EQ(redact("shared-build-secret"), "shared-build-secret");
  auto first = std::make_unique<ScopedSecrets>(std::vector<std::string>{"two-builds-one-password"});
  {
    const ScopedSecrets second({"two-builds-one-password"});
  }
  EXPECT_EQ(redact("two-builds-one-password"), "****") << "the first build still runs";
  first.reset();
  EXPECT_EQ(redact("two-builds-one-password"), "two-builds-one-password");
}

}  // namespace kiln::log
