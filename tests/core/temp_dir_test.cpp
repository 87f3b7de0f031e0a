#include "core/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace kiln {
namespace {

namespace fs = std::filesystem;

// A pid that was in use a moment ago and is free now: a child that has exited and been reaped.
int dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

// The owner part of a name TempDir gave this process ("pid<pid>-<start>-<namespace>").
std::string own_tag() {
  const TempDir probe("kiln-tag");
  const std::string name = probe.path().filename().string();
  const auto start = name.find(".pid") + 1;
  return name.substr(start, name.rfind('.') - start);
}

}  // namespace

// The directory and everything in it disappears with the object, even when it is not empty.
TEST(TempDir, RemovesItsContents) {
  std::filesystem::path kept;
  {
    TempDir dir("kiln-test");
    kept = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(kept));
    std::filesystem::create_directories(kept / "a/b");
    std::ofstream(kept / "a/b/file") << "x";
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

// The name says which process made it, so a later run can tell when that process is gone.
TEST(TempDir, NameCarriesItsOwner) {
  const TempDir dir("kiln-test");
  const auto owner = temp_dir_owner(dir.path().filename().string());
  ASSERT_TRUE(owner) << dir.path();
  EXPECT_EQ(owner->pid, ::getpid());
  EXPECT_GT(owner->start_time, 0u);
  EXPECT_GT(owner->pid_namespace, 0u);
  EXPECT_EQ((fs::status(dir.path()).permissions() & fs::perms::all), fs::perms::owner_all);
}

TEST(TempDir, OnlyItsOwnPatternHasAnOwner) {
  EXPECT_EQ(temp_dir_owner("kiln-build.pid42-7-4026531836.Ab12Cd"),
            (TempDirOwner{.pid = 42, .start_time = 7, .pid_namespace = 4026531836}));
  EXPECT_EQ(temp_dir_owner("kiln-server-b1-.pid42-7-9.xxxxxx"), (TempDirOwner{.pid = 42, .start_time = 7, .pid_namespace = 9}));
  for (const char* name : {"kiln-build-Ab12Cd", "other.pid42-7-9.Ab12Cd", "kiln.pid42-7-9.Ab12C", "kiln.pid42-7.Ab12Cd",
                           "kiln.pid-42-7-9.Ab12Cd", "kiln.pid0-7-9.Ab12Cd", "kiln.pid42-7-9x.Ab12Cd",
                           "kiln.pid99999999999999999999999-7-9.Ab12Cd", "kiln.pid42-7-9.Ab12Cd.tar"})
    EXPECT_FALSE(temp_dir_owner(name)) << name;
}

// What a killed process left is removed; what a live one (or another pid namespace's process,
// or another user) owns, links, files and names not ours stay.
TEST(TempDir, AbandonedDirectoriesOfDeadOwnersAreRemovedAndNothingElse) {
  const TempDir base("kiln-sweep-test");
  const std::string tag = own_tag();
  const std::string ns = tag.substr(tag.rfind('-') + 1);
  const auto make = [&](const std::string& name) {
    fs::create_directories(base.path() / name / "sub");
    std::ofstream(base.path() / name / "sub/config.json") << "{}";
    return base.path() / name;
  };
  const int dead = dead_pid();
  const auto abandoned = make(fmt::format("kiln-docker-config.pid{}-1-{}.Ab12Cd", dead, ns));
  const auto reused = make(fmt::format("kiln-build.pid{}-1-{}.Ab12Cd", ::getpid(), ns));  // our pid, another start
  const auto live = make("kiln-build." + tag + ".Zz9Yy8");
  const auto other_namespace = make(fmt::format("kiln-build.pid{}-1-{}1.Ab12Cd", dead, ns));
  const auto other_user = make(fmt::format("kiln-user.pid{}-1-{}.Ab12Cd", dead, ns));
  ASSERT_EQ(::chown(other_user.c_str(), 65534, 65534), 0);
  const auto not_ours = make(fmt::format("build.pid{}-1-{}.Ab12Cd", dead, ns));
  const auto file = base.path() / fmt::format("kiln-file.pid{}-1-{}.Ab12Cd", dead, ns);
  std::ofstream(file) << "x";
  // A link with our pattern pointing at a directory: neither the link's target nor its files go.
  const TempDir elsewhere("kiln-sweep-target");
  std::ofstream(elsewhere.path() / "precious") << "keep";
  const auto link = base.path() / fmt::format("kiln-link.pid{}-1-{}.Ab12Cd", dead, ns);
  fs::create_directory_symlink(elsewhere.path(), link);

  auto removed = remove_abandoned_temp_dirs(base.path());
  std::sort(removed.begin(), removed.end());
  auto expected = std::vector<fs::path>{abandoned, reused};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(removed, expected);
  EXPECT_FALSE(fs::exists(abandoned));
  EXPECT_FALSE(fs::exists(reused));
  for (const auto& kept : {live, other_namespace, other_user, not_ours, file}) EXPECT_TRUE(fs::exists(kept)) << kept;
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_TRUE(fs::exists(elsewhere.path() / "precious"));
}

}  // namespace kiln
