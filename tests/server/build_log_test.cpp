// BuildLog keeps the head and the tail under its cap and says what it dropped.
#include "server/logs/build_log.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>

#include <fstream>

#include "core/temp_dir.h"
#include "tests/support/files.h"

namespace kiln::server {

using kiln::testing::read_file;

TEST(BuildLog, KeepsHeadAndTailAndSaysWhatWasDropped) {
  TempDir dir("kiln-build-log");
  const auto file = dir.path() / "b.log";
  BuildLog log(file, 100, {});
  for (int i = 0; i < 100; ++i) log.append(fmt::format("line {:03}", i));  // 9 bytes each with '\n'
  log.close("succeeded");
  const std::string text = read_file(file);
  // 50 bytes of head: 5 lines; 50 bytes of tail: the last 5 lines.
  EXPECT_EQ(text,
            "line 000\nline 001\nline 002\nline 003\nline 004\n"
            "[kiln-server: 90 lines (810 bytes) dropped: the log cap keeps the head and the tail]\n"
            "line 095\nline 096\nline 097\nline 098\nline 099\n");
}

TEST(BuildLog, ReadersFollowLiveAndSeeTheGap) {
  TempDir dir("kiln-build-log");
  BuildLog log(dir.path() / "b.log", 40, {});
  log.append("first");
  BuildLog::Chunk c = log.read_from(0, std::chrono::milliseconds(0));
  EXPECT_EQ(c.lines, std::vector<std::string>{"first"});
  EXPECT_FALSE(c.ended);
  for (int i = 0; i < 20; ++i) log.append(fmt::format("l{:02}", i));
  log.close("failed");
  c = log.read_from(c.next, std::chrono::milliseconds(0));
  ASSERT_FALSE(c.lines.empty());
  EXPECT_TRUE(c.ended);
  EXPECT_EQ(c.final_state, "failed");
  EXPECT_EQ(c.lines.back(), "l19");
  EXPECT_NE(std::find_if(c.lines.begin(), c.lines.end(), [](const std::string& l) { return l.find("dropped by the log cap") != std::string::npos; }),
            c.lines.end());
}

TEST(BuildLog, RedactsSecretsBeforeKeepingALine) {
  TempDir dir("kiln-build-log");
  const auto file = dir.path() / "b.log";
  BuildLog log(file, 1 << 20, {"hunter2-secret"});
  log.append("login with hunter2-secret ok");
  log.close("succeeded");
  EXPECT_EQ(read_file(file), "login with **** ok\n");
}

}  // namespace kiln::server
