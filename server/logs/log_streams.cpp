#include "server/logs/log_streams.h"

#include <Poco/Exception.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <map>

#include "oci/json.h"

namespace kiln::server {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// What one turn of the loop sends a stream at most: a reader far behind catches up in steps,
// and no stream holds more than this in memory.
constexpr std::size_t kTurnBytes = 256 << 10;
constexpr auto kKeepAlive = 15s;
// Each look at a queued build is a query on the store every worker also needs.
constexpr auto kLookEvery = 250ms;
// Bounded: a stream lasts at most a day.
constexpr auto kMaxStreamAge = 24h;

std::string chunk(std::string_view body) {
  return body.empty() ? std::string() : fmt::format("{:x}\r\n{}\r\n", body.size(), body);
}

void event_line(std::string& body, std::string_view text, std::int64_t end_offset) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  body += "id: ";
  body += std::to_string(end_offset);
  body += "\ndata: ";
  body += text;
  body += "\n\n";
}

void end_event(std::string& body, const std::string& state) {
  body += "event: end\ndata: " + oci::Json{{"state", state}}.dump() + "\n\n";
}

std::int64_t bytes_in(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  return ec ? 0 : static_cast<std::int64_t>(size);
}

// Positions `file` at the first line that starts at or after `offset` (a Last-Event-ID is the
// offset just after a line; any other number does not cut a line in two); returns that position.
std::int64_t seek_line_after(std::ifstream& file, std::int64_t offset) {
  if (offset <= 0 || !file) return 0;
  file.seekg(offset - 1);
  char before = '\n';
  if (!file.get(before)) return 0;
  if (before != '\n') {
    std::string rest;
    std::getline(file, rest);
    return offset + static_cast<std::int64_t>(rest.size()) + 1;
  }
  return offset;
}

}  // namespace

struct LogStreams::Stream {
  enum class Phase { waiting, file, live, ending };
  Poco::Net::StreamSocket socket;
  std::string id;
  Phase phase = Phase::waiting;
  std::ifstream file;
  std::int64_t file_left = -1;          // bytes of the log file still to send; -1: to its end
  std::int64_t file_offset = 0;         // where `file` reads next
  std::int64_t resume_after = 0;        // Last-Event-ID: lines ending at or before it are not sent
  std::shared_ptr<const void> hold;
  std::optional<std::string> end_state;  // set: the build is final, the file is all there is
  std::shared_ptr<BuildLog> log;
  std::size_t next_line = 0;
  std::string out;  // bytes not yet sent; filled again only once empty (TLS retries need the same buffer)
  std::size_t sent = 0;
  Clock::time_point last_output = Clock::now();
  Clock::time_point next_look{};  // a waiting stream asks about its build at most every kLookEvery
  Clock::time_point deadline = Clock::now() + kMaxStreamAge;
};

LogStreams::LogStreams(LogSource source, int max_streams, std::chrono::milliseconds tick)
    : source_(std::move(source)), max_streams_(max_streams), tick_(tick), thread_([this] { loop(); }) {}

LogStreams::~LogStreams() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool LogStreams::add(Poco::Net::StreamSocket socket, const std::string& id, std::int64_t resume_after,
                     std::shared_ptr<const void> hold) {
  if (open_.fetch_add(1) >= max_streams_) {
    --open_;
    return false;
  }
  auto stream = std::make_unique<Stream>();
  stream->socket = std::move(socket);
  stream->id = id;
  stream->resume_after = resume_after;
  stream->hold = std::move(hold);
  stream->out =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
      chunk(": kiln-server log of " + id + "\n\n");
  {
    std::lock_guard lock(mutex_);
    incoming_.push_back(std::move(stream));
  }
  wake_.notify_all();
  return true;
}

void LogStreams::loop() {
  std::vector<std::unique_ptr<Stream>> streams, fresh;
  // What a turn learned of each build, asked once per build however many streams follow it.
  struct Look {
    std::shared_ptr<BuildLog> live;
    std::optional<std::string> final_state;
  };
  std::map<std::string, Look> looks;

  // Fills s.out with what the stream has next; false when the stream is over.
  const auto produce = [&](Stream& s) {
    std::string body;
    const auto now = Clock::now();
    if (now > s.deadline) {
      s.out = "0\r\n\r\n";
      s.phase = Stream::Phase::ending;
      return;
    }
    if (s.phase == Stream::Phase::waiting && now >= s.next_look) {
      s.next_look = now + kLookEvery;
      auto [it, fresh] = looks.try_emplace(s.id);
      if (fresh) {
        // The live log first: a build that just ended may be final in the store while its log
        // is still writing the kept tail.
        it->second.live = source_.live(s.id);
        if (!it->second.live) it->second.final_state = source_.final_state(s.id);
      }
      const Look& look = it->second;
      if (look.live || look.final_state) {
        if (look.final_state && look.final_state->empty()) {  // deleted meanwhile
          s.out = "0\r\n\r\n";
          s.phase = Stream::Phase::ending;
          return;
        }
        s.file.open(source_.file(s.id), std::ios::binary);
        s.log = look.live;
        const std::int64_t file_end = look.live ? look.live->prior_bytes() : bytes_in(source_.file(s.id));
        s.file_offset = seek_line_after(s.file, std::min(s.resume_after, file_end));
        s.file_left = look.live ? std::max<std::int64_t>(0, file_end - s.file_offset) : -1;
        if (look.live) s.next_line = look.live->first_line_after(s.resume_after);
        s.end_state = look.final_state;
        s.phase = Stream::Phase::file;
      }
    }
    if (s.phase == Stream::Phase::file) {
      std::string line;
      while (body.size() < kTurnBytes && s.file_left != 0 && std::getline(s.file, line)) {
        if (s.file_left > 0) s.file_left = std::max<std::int64_t>(0, s.file_left - static_cast<std::int64_t>(line.size() + 1));
        s.file_offset += static_cast<std::int64_t>(line.size() + 1);
        event_line(body, line, s.file_offset);
      }
      if (body.size() < kTurnBytes) {  // the file's part is all sent
        s.file.close();
        if (s.end_state) {
          end_event(body, *s.end_state);
          s.phase = Stream::Phase::ending;
        } else {
          s.phase = Stream::Phase::live;
        }
      }
    } else if (s.phase == Stream::Phase::live) {
      const BuildLog::Chunk c = s.log->read_from(s.next_line, 0ms);
      for (std::size_t i = 0; i < c.lines.size(); ++i) event_line(body, c.lines[i], c.ends[i]);
      s.next_line = c.next;
      if (c.ended) {
        end_event(body, c.final_state);
        s.phase = Stream::Phase::ending;
      }
    }
    if (body.empty() && s.phase != Stream::Phase::ending && now - s.last_output > kKeepAlive) body = ": waiting\n\n";
    s.out = chunk(body);
    if (s.phase == Stream::Phase::ending) s.out += "0\r\n\r\n";
  };

  // Sends what it can without blocking; false when the client is gone.
  const auto send = [](Stream& s) {
    try {
      while (s.sent < s.out.size()) {
        const int n = s.socket.sendBytes(s.out.data() + s.sent, static_cast<int>(std::min<std::size_t>(s.out.size() - s.sent, 1 << 20)));
        if (n <= 0) return true;  // would block (TLS: wants to write again later)
        s.sent += static_cast<std::size_t>(n);
        s.last_output = Clock::now();
      }
      s.out.clear();
      s.sent = 0;
      return true;
    } catch (const Poco::TimeoutException&) {
      return true;
    } catch (const std::exception& e) {
      spdlog::debug("log stream of {} ended: {}", s.id, e.what());
      return false;
    }
  };

  // A follower that went away is noticed at once, not at the next keep-alive: until then its
  // stream would count toward its client's max_connections_per_client. It sends nothing after
  // its request (Connection: close), so anything readable is its end.
  const auto gone = [](Stream& s) {
    try {
      if (!s.socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR)) return false;
      char buffer[512];
      return s.socket.receiveBytes(buffer, sizeof buffer) == 0;
    } catch (const Poco::TimeoutException&) {
      return false;
    } catch (const std::exception&) {
      return true;
    }
  };

  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, tick_, [&] { return stopping_ || !incoming_.empty(); });
      if (stopping_) break;
      fresh.swap(incoming_);
    }
    // A new follower gets its status line now, not after a turn over every other stream.
    for (auto& s : fresh) {
      try {
        s->socket.setBlocking(false);
        s->socket.setNoDelay(true);
      } catch (const std::exception&) {
      }
      send(*s);
      streams.push_back(std::move(s));
    }
    fresh.clear();
    looks.clear();
    for (auto it = streams.begin(); it != streams.end();) {
      Stream& s = **it;
      bool keep = !gone(s) && send(s);
      if (keep && s.out.empty()) {
        if (s.phase == Stream::Phase::ending) {
          keep = false;
        } else {
          try {
            produce(s);
          } catch (const std::exception& e) {
            spdlog::warn("log stream of {}: {}", s.id, e.what());
            s.out = "0\r\n\r\n";
            s.phase = Stream::Phase::ending;
          }
          keep = send(s);
        }
      }
      if (keep) {
        ++it;
        continue;
      }
      try {
        s.socket.close();
      } catch (const std::exception&) {
      }
      it = streams.erase(it);
      --open_;
    }
  }
  for (auto& s : streams) {
    try {
      s->socket.shutdown();
      s->socket.close();
    } catch (const std::exception&) {
    }
  }
}

}  // namespace kiln::server
