#include "oci/registry/retry.h"

#include <gtest/gtest.h>

namespace kiln::oci {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Retry, ClassifiesErrors) {
  struct Row {
    int status;
    std::vector<std::string> codes;
    bool network;
    bool temporary;
  };
  const Row rows[] = {
      {408, {}, false, true},
      {429, {"TOOMANYREQUESTS"}, false, true},
      {500, {}, false, true},
      {502, {}, false, true},
      {503, {"UNAVAILABLE"}, false, true},
      {0, {}, true, true},                         // reset / time-out
      {0, {}, false, false},                       // TLS failure, refused connection
      {500, {"NAME_INVALID"}, false, false},       // a definite fault stays a fault
      {400, {"MANIFEST_BLOB_UNKNOWN"}, false, false},
      {401, {"UNAUTHORIZED"}, false, false},
      {403, {"DENIED"}, false, false},
      {404, {"MANIFEST_UNKNOWN"}, false, false},
      {404, {"TOOMANYREQUESTS"}, false, false},    // never retry other 4xx
  };
  for (const auto& row : rows)
    EXPECT_EQ(RegistryError(row.status, row.codes, row.network, "x").is_temporary(), row.temporary)
        << row.status << " network=" << row.network;
}

TEST(Retry, ParsesRetryAfterSeconds) {
  EXPECT_EQ(parse_retry_after("120"), seconds(120));
  EXPECT_EQ(parse_retry_after(" 0 "), seconds(0));
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));  // HTTP-date: backoff instead
  EXPECT_FALSE(parse_retry_after("-1"));
  EXPECT_FALSE(parse_retry_after(""));
  EXPECT_FALSE(parse_retry_after("5s"));
}

TEST(Retry, DelayGrowsIsCappedAndHonoursRetryAfter) {
  const Backoff b{.max_attempts = 5, .initial = milliseconds(100), .max = milliseconds(1000), .max_retry_after = seconds(30)};
  EXPECT_EQ(retry_delay(b, 1, std::nullopt, 0.5), milliseconds(100));
  EXPECT_EQ(retry_delay(b, 2, std::nullopt, 0.5), milliseconds(200));
  EXPECT_EQ(retry_delay(b, 3, std::nullopt, 0.5), milliseconds(400));
  EXPECT_EQ(retry_delay(b, 10, std::nullopt, 0.5), milliseconds(1000));
  EXPECT_EQ(retry_delay(b, 1, std::nullopt, 0.0), milliseconds(80));   // jitter range [0.8, 1.2)
  EXPECT_EQ(retry_delay(b, 1, std::nullopt, 0.99), milliseconds(119));
  EXPECT_EQ(retry_delay(b, 1, seconds(7), 0.5), milliseconds(7000));
  EXPECT_EQ(retry_delay(b, 1, seconds(3600), 0.5), milliseconds(30000));  // capped
}

TEST(Retry, RetriesTemporaryFailuresThenSucceeds) {
  std::vector<milliseconds> slept;
  Retrier retrier(Backoff{.max_attempts = 4, .initial = milliseconds(10), .max = milliseconds(100)},
                  [&](milliseconds d) { slept.push_back(d); });
  int calls = 0;
  int result = retrier.run("op", [&] {
    if (++calls < 3) {
      RegistryError e(503, {}, false, "busy");
      e.set_retry_after(seconds(2));
      throw e;
    }
    return 42;
  });
  EXPECT_EQ(result, 42);
  EXPECT_EQ(calls, 3);
  ASSERT_EQ(slept.size(), 2u);
  EXPECT_EQ(slept[0], milliseconds(2000));  // Retry-After beats the short backoff
}

TEST(Retry, GivesUpAfterMaxAttemptsAndNeverRetriesPermanentFailures) {
  int calls = 0;
  Retrier retrier(Backoff{.max_attempts = 3}, [](milliseconds) {});
  EXPECT_THROW(retrier.run("op", [&] { ++calls; throw RegistryError(0, {}, true, "reset"); }), RegistryError);
  EXPECT_EQ(calls, 3);
  calls = 0;
  EXPECT_THROW(retrier.run("op", [&] { ++calls; throw RegistryError(404, {"BLOB_UNKNOWN"}, false, "gone"); }),
               RegistryError);
  EXPECT_EQ(calls, 1);
}

// run_also(): the failures its predicate picks are retried too, from their own shorter first
// delay; temporary ones keep the usual backoff, and anything else is still final.
TEST(Retry, RetriesWhatThePredicatePicksFromItsOwnFirstDelay) {
  std::vector<milliseconds> slept;
  Retrier retrier(Backoff{.max_attempts = 4, .initial = milliseconds(200), .max = milliseconds(5000)},
                  [&](milliseconds d) { slept.push_back(d); });
  const auto race = [](const RegistryError& e) { return e.status() == 400; };
  int calls = 0;
  const int result = retrier.run_also("op", race, [&] {
    if (++calls == 1) throw RegistryError(400, {"MANIFEST_BLOB_UNKNOWN"}, false, "link half-written");
    if (calls == 2) throw RegistryError(503, {}, false, "busy");
    return 7;
  }, milliseconds(20));
  EXPECT_EQ(result, 7);
  ASSERT_EQ(slept.size(), 2u);
  EXPECT_GE(slept[0], milliseconds(16));  // 20 ms with jitter in [0.8, 1.2)
  EXPECT_LT(slept[0], milliseconds(24));
  EXPECT_GE(slept[1], milliseconds(320));  // the second failure was a 503: 200 ms doubled, jittered
  EXPECT_LT(slept[1], milliseconds(480));

  calls = 0;
  EXPECT_THROW(retrier.run_also("op", race, [&]() -> int { ++calls; throw RegistryError(404, {}, false, "gone"); },
                                milliseconds(20)),
               RegistryError);
  EXPECT_EQ(calls, 1);
}

}  // namespace kiln::oci
