// The watchdog ends a read that would otherwise wait for ever, at the deadline and not before;
// an extension moves it; a watch that ends first leaves the connection alone.
#include "oci/registry/deadline_watchdog.h"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace kiln::oci {
namespace {

using Clock = DeadlineWatchdog::Clock;
using namespace std::chrono_literals;

// Both ends of a connected pair, closed by the destructor.
struct SocketPair {
  int fd[2] = {-1, -1};
  SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0); }
  ~SocketPair() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
};

// How long a recv() on `fd` blocked, and what it returned.
std::pair<std::chrono::milliseconds, ssize_t> timed_recv(int fd) {
  char byte = 0;
  const auto start = Clock::now();
  const ssize_t got = ::recv(fd, &byte, 1, 0);
  return {std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start), got};
}

}  // namespace

TEST(DeadlineWatchdog, EndsABlockedReadAtTheDeadline) {
  DeadlineWatchdog watchdog;
  SocketPair pair;
  DeadlineWatchdog::Watch watch(watchdog, Clock::now() + 300ms);
  watch.attach(pair.fd[0]);
  EXPECT_FALSE(watch.expired());
  const auto [took, got] = timed_recv(pair.fd[0]);
  EXPECT_EQ(got, 0) << "the end of the stream, as a shut-down connection reads";
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);
  EXPECT_TRUE(watch.expired());
}

TEST(DeadlineWatchdog, AnExtensionMovesTheDeadline) {
  DeadlineWatchdog watchdog;
  SocketPair pair;
  const auto start = Clock::now();
  DeadlineWatchdog::Watch watch(watchdog, start + 200ms);
  watch.attach(pair.fd[0]);
  watch.extend_to(start + 700ms);
  watch.extend_to(start + 100ms);  // never earlier
  const auto [took, got] = timed_recv(pair.fd[0]);
  EXPECT_EQ(got, 0);
  EXPECT_GE(Clock::now() - start, 650ms);
  EXPECT_LT(took, 3s);
}

TEST(DeadlineWatchdog, AWatchAttachedAfterItsDeadlineShutsDownAtOnce) {
  DeadlineWatchdog watchdog;
  SocketPair pair;
  DeadlineWatchdog::Watch watch(watchdog, Clock::now() + 50ms);
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(watch.expired());
  watch.attach(pair.fd[0]);
  const auto [took, got] = timed_recv(pair.fd[0]);
  EXPECT_EQ(got, 0);
  EXPECT_LT(took, 1s);
}

TEST(DeadlineWatchdog, AFinishedWatchLeavesTheConnectionOpen) {
  DeadlineWatchdog watchdog;
  SocketPair pair;
  {
    DeadlineWatchdog::Watch watch(watchdog, Clock::now() + 100ms);
    watch.attach(pair.fd[0]);
  }
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(::send(pair.fd[1], "k", 1, 0), 1);
  const auto [took, got] = timed_recv(pair.fd[0]);
  EXPECT_EQ(got, 1) << "the connection was shut down after its watch ended";
}

}  // namespace kiln::oci
