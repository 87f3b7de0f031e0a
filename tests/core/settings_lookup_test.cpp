// A setting looked up under a name its table does not hold is a mistake in kiln's code: it
// throws std::logic_error instead of reading as unset, so a misspelt or alias name cannot
// silently drop what a user set.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/settings.h"

namespace kiln {
namespace {

const SettingsTable& lookup_table() {
  static const SettingsTable t{{.name = "cache_ttl", .aliases = {"cache-ttl"}, .default_value = "6h"},
                               {.name = "dry_run", .default_value = "false"}};
  return t;
}

Settings loaded(const std::vector<std::string>& args = {}) { return Settings::load(lookup_table(), Env{}, args, nullptr); }

TEST(SettingsLookup, ACanonicalNameReadsItsValueOrDefault) {
  EXPECT_EQ(loaded().get("cache_ttl"), "6h");
  EXPECT_EQ(loaded({"--cache-ttl", "1h"}).get("cache_ttl"), "1h");
  EXPECT_TRUE(loaded({"--dry_run"}).has("dry_run"));
  EXPECT_FALSE(loaded().has("dry_run"));
}

TEST(SettingsLookup, ANameNotInTheTableIsAProgrammingError) {
  const Settings settings = loaded({"--cache-ttl", "1h"});
  EXPECT_THROW(settings.get("cache_tll"), std::logic_error);
  EXPECT_THROW(settings.has("cache_tll"), std::logic_error);
  EXPECT_THROW(settings.get_bool("dryrun"), std::logic_error);
  EXPECT_THROW(settings.get_int("retries"), std::logic_error);
  EXPECT_THROW(settings.get_duration("timeout"), std::logic_error);
  EXPECT_THROW(settings.get_list("tags"), std::logic_error);
  // An alias is how users write it, not how values are kept: it would read the default.
  EXPECT_THROW(settings.get("cache-ttl"), std::logic_error);
  try {
    settings.get("cache_tll");
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("'cache_tll'"), std::string::npos) << e.what();
  }
}

TEST(SettingsLookup, SettingsWithoutATableKnowNoName) { EXPECT_THROW(Settings().get("cache_ttl"), std::logic_error); }

}  // namespace
}  // namespace kiln
