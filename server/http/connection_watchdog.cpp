#include "server/http/connection_watchdog.h"

#include <fcntl.h>
#include <algorithm>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "core/unique_fd.h"

namespace kiln::server {

using Clock = std::chrono::steady_clock;

struct ConnectionWatchdog::Entry {
  // A duplicate of the connection's descriptor: the number stays this socket's until the entry
  // goes, even though Poco closes its own descriptor a moment before.
  UniqueFd socket;
  std::string client;
  Clock::time_point deadline = Clock::time_point::max();
  const char* awaited = "headers";
  Clock::time_point body_start;
  std::int64_t body_bytes = 0;
  bool body_started = false;
  bool shut = false;
};

namespace {

constexpr auto kNoDeadline = Clock::time_point::max();

// The connection the calling thread serves.
thread_local ConnectionWatchdog* current_dog = nullptr;
thread_local ConnectionWatchdog::Entry* current_entry = nullptr;

}  // namespace

struct RequestPhaseAccess {
  template <typename F>
  static void update(F&& change) {
    if (!current_dog || !current_entry) return;
    std::lock_guard lock(current_dog->mutex_);
    change(*current_entry, current_dog->limits_);
  }

  // One more connection of `client` for as long as it lives.
  struct Held {
    Held(ConnectionWatchdog& dog, std::string client) : dog(dog), client(std::move(client)) {
      std::lock_guard lock(dog.mutex_);
      ++dog.per_client_[this->client];
    }
    ~Held() {
      std::lock_guard lock(dog.mutex_);
      if (const auto it = dog.per_client_.find(client); it != dog.per_client_.end() && --it->second <= 0)
        dog.per_client_.erase(it);
    }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
    ConnectionWatchdog& dog;
    std::string client;
  };

  static ConnectionHold hold() {
    if (!current_dog || !current_entry) return nullptr;
    return std::make_shared<const Held>(*current_dog, current_entry->client);
  }
};

std::string client_address(const Poco::Net::StreamSocket& socket) {
  try {
    return socket.peerAddress().host().toString();
  } catch (const std::exception&) {
    return "unknown";
  }
}

ConnectionWatchdog::ConnectionWatchdog(ConnectionLimits limits) : limits_(limits), thread_([this] { loop(); }) {}

ConnectionWatchdog::~ConnectionWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::unique_ptr<ConnectionWatchdog::Watch> ConnectionWatchdog::watch(const Poco::Net::StreamSocket& socket) {
  auto entry = std::make_unique<Entry>();
  entry->client = client_address(socket);
  entry->socket.reset(::fcntl(socket.impl()->sockfd(), F_DUPFD_CLOEXEC, 0));
  std::lock_guard lock(mutex_);
  const int fd = socket.impl()->sockfd();
  Clock::time_point start = Clock::now();
  if (const auto it = accepted_at_.find(fd); it != accepted_at_.end()) {
    start = it->second;
    accepted_at_.erase(it);
  }
  entry->deadline = start + limits_.header_timeout;
  int& count = per_client_[entry->client];
  if (count >= limits_.max_per_client || !entry->socket) {
    if (count == 0) per_client_.erase(entry->client);
    return nullptr;
  }
  ++count;
  Entry* key = entry.get();
  entries_.emplace(key, std::move(entry));
  return std::make_unique<Watch>(*this, key);
}

bool ConnectionWatchdog::accepted(const Poco::Net::StreamSocket& socket) {
  const std::string client = client_address(socket);
  std::lock_guard lock(mutex_);
  const auto it = per_client_.find(client);
  if (it != per_client_.end() && it->second >= limits_.max_per_client) return false;
  accepted_at_[socket.impl()->sockfd()] = Clock::now();
  return true;
}

void ConnectionWatchdog::close_all() {
  std::lock_guard lock(mutex_);
  for (auto& [key, entry] : entries_) {
    ::shutdown(entry->socket.get(), SHUT_RDWR);
    entry->shut = true;
  }
}

void ConnectionWatchdog::release(Entry* entry) {
  std::lock_guard lock(mutex_);
  if (const auto it = per_client_.find(entry->client); it != per_client_.end() && --it->second <= 0) per_client_.erase(it);
  entries_.erase(entry);
}

void ConnectionWatchdog::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(100));
    const auto now = Clock::now();
    int closed = 0;
    const Entry* example = nullptr;
    for (auto& [key, entry] : entries_) {
      if (entry->shut || now < entry->deadline) continue;
      // The thread serving it is blocked in a read: shutting the socket down ends that read.
      ::shutdown(entry->socket.get(), SHUT_RDWR);
      entry->shut = true;
      ++closed;
      example = entry.get();
    }
    if (closed > 0)
      spdlog::info("closed {} connection(s) that did not send their request in time, e.g. from {} (its {})", closed,
                   example->client, example->awaited);
  }
}

ConnectionWatchdog::Watch::Watch(ConnectionWatchdog& dog, Entry* entry) : dog_(dog), entry_(entry) {
  current_dog = &dog;
  current_entry = entry;
}

ConnectionWatchdog::Watch::~Watch() {
  current_dog = nullptr;
  current_entry = nullptr;
  dog_.release(entry_);
}

namespace request_phase {

void headers_read() {
  RequestPhaseAccess::update([](ConnectionWatchdog::Entry& e, const ConnectionLimits&) {
    e.deadline = kNoDeadline;
    e.body_started = false;
    e.body_bytes = 0;
  });
}

void body_read(std::int64_t bytes) {
  RequestPhaseAccess::update([&](ConnectionWatchdog::Entry& e, const ConnectionLimits& limits) {
    if (!e.body_started) {
      e.body_started = true;
      e.body_start = Clock::now();
      e.body_bytes = 0;
      e.awaited = "body";
    }
    e.body_bytes += bytes;
    // The grace, then one second more for each body_min_rate bytes received.
    e.deadline = e.body_start + limits.body_timeout +
                 std::chrono::milliseconds(e.body_bytes * 1000 / std::max<std::int64_t>(1, limits.body_min_rate));
  });
}

void body_done() {
  RequestPhaseAccess::update([](ConnectionWatchdog::Entry& e, const ConnectionLimits&) { e.deadline = kNoDeadline; });
}

void request_done() {
  RequestPhaseAccess::update([](ConnectionWatchdog::Entry& e, const ConnectionLimits& limits) {
    e.deadline = Clock::now() + limits.header_timeout;
    e.awaited = "headers";
    e.body_started = false;
  });
}

ConnectionHold hold_connection() { return RequestPhaseAccess::hold(); }

}  // namespace request_phase
}  // namespace kiln::server
