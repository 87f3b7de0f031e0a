// Secret redaction: a permanent registration, a scoped one that ends with its scope (a server's
// per-build credentials), and counting when both hold the same value.
#include "core/log.h"
#include "core/settings.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace kiln::log {

using kiln::Env;
using kiln::Settings;
using kiln::SettingsTable;

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

TEST(Log, ARedactionScopeTakesBackWhatAddSecretRegisteredOnItsThread) {
  const std::size_t before = secret_count();
  {
    const RedactionScope request;
    add_secret("submitted-password-1");
    {
      const RedactionScope inner;
      add_secret("nested-docker-auth");
      EXPECT_EQ(redact("nested-docker-auth"), "****");
    }
    EXPECT_EQ(redact("nested-docker-auth"), "nested-docker-auth") << "the inner scope took its value back";
    EXPECT_EQ(redact("a submitted-password-1"), "a ****") << "redacted while the scope lives";
    const ScopedSecrets build({"submitted-password-1"});
  }
  EXPECT_EQ(redact("a submitted-password-1"), "a submitted-password-1");
  EXPECT_EQ(secret_count(), before) << "nothing stays registered once the scope has ended";
}

TEST(Log, SettingsLoadedInsideAScopeDoNotStayRegistered) {
  const std::size_t before = secret_count();
  const SettingsTable table = {{.name = "password", .secret = true}, {.name = "repo"}};
  for (int i = 0; i < 50; ++i) {
    const RedactionScope one_submission;
    const Settings s = Settings::load(table, Env{{{"PLUGIN_PASSWORD", "password-of-build-" + std::to_string(i)}}}, {}, nullptr);
    EXPECT_EQ(redact(s.get("password")), "****");
  }
  EXPECT_EQ(secret_count(), before) << "fifty submissions, no growth";
  std::thread other([] { add_secret("another-threads-secret"); });
  {
    const RedactionScope here;
    other.join();
  }
  EXPECT_EQ(redact("another-threads-secret"), "****") << "a scope takes only its own thread's registrations";
}

}  // namespace kiln::log
