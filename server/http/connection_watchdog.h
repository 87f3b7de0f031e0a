#pragma once
// Bounds on what one HTTP connection may hold of the server. A connection is served by a
// thread from the start; a client that sends its headers or its body one byte at a time
// (slowloris) would otherwise keep that thread for as long as it likes, and a few dozen such
// clients would leave none for /healthz or the API. So each connection has a deadline for its
// request's headers, and for its body a grace time followed by a minimum average rate; one
// thread shuts down the sockets that miss theirs. And one client address may hold only so many
// connections at once.
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace kiln::server {

struct ConnectionLimits {
  std::chrono::seconds header_timeout{10};  ///< request line and headers, from the connection's start or the previous answer
  std::chrono::seconds body_timeout{20};    ///< grace before the body's rate counts
  std::int64_t body_min_rate = 64 << 10;    ///< bytes per second, averaged, after the grace
  int max_per_client = 16;                  ///< connections per client address
};

class ConnectionWatchdog {
 public:
  struct Entry;
  /// Registered for as long as a connection is served; the thread that serves it reports the
  /// request's phases through request_phase below.
  class Watch {
   public:
    Watch(ConnectionWatchdog& dog, Entry* entry);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

   private:
    ConnectionWatchdog& dog_;
    Entry* entry_;
  };

  explicit ConnectionWatchdog(ConnectionLimits limits);
  ~ConnectionWatchdog();
  ConnectionWatchdog(const ConnectionWatchdog&) = delete;
  ConnectionWatchdog& operator=(const ConnectionWatchdog&) = delete;

  /// Watches `socket`, served from now on by the calling thread; nullptr when its client
  /// address already holds max_per_client connections (the caller closes it).
  std::unique_ptr<Watch> watch(const Poco::Net::StreamSocket& socket);
  /// Notes when `socket` was accepted (its header deadline runs from then, not from when a thread
  /// is free to serve it); false when its client address already holds max_per_client connections.
  bool accepted(const Poco::Net::StreamSocket& socket);
  /// Shuts every watched connection down (the server is stopping).
  void close_all();

  const ConnectionLimits& limits() const { return limits_; }

 private:
  friend struct RequestPhaseAccess;
  void loop();
  void release(Entry* entry);

  ConnectionLimits limits_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<Entry*, std::unique_ptr<Entry>> entries_;
  std::map<std::string, int> per_client_;
  /// Accept times by descriptor, until a thread takes the connection. Every accepted socket is
  /// noted here before it is served, so a number reused after a dropped one is noted afresh.
  std::map<int, std::chrono::steady_clock::time_point> accepted_at_;
  bool stopping_ = false;
  std::thread thread_;
};

/// The client address of a connection ("127.0.0.2"); "unknown" when it is already gone.
std::string client_address(const Poco::Net::StreamSocket& socket);

/// A connection's place in its client's max_per_client count, kept after the thread that served
/// it has handed the socket on (a log stream served by another thread), until the last copy goes.
/// The watchdog must outlive it.
using ConnectionHold = std::shared_ptr<const void>;

/// What request handling reports about the connection its thread serves (nothing happens on a
/// thread that serves no watched connection).
namespace request_phase {
/// The request's headers are in: no deadline while the handler works.
void headers_read();
/// `bytes` more of the body arrived (0 to say the handler starts reading it): the body's deadline runs.
void body_read(std::int64_t bytes);
/// The body has been read: no deadline while the handler works.
void body_done();
/// The answer is sent: the next request on the connection has header_timeout for its headers.
void request_done();
/// Keeps the connection counted toward its client's limit beyond its serving thread; null on a
/// thread that serves no watched connection.
ConnectionHold hold_connection();
}  // namespace request_phase

}  // namespace kiln::server
