#pragma once
// One build's output: every line goes to the log file on disk until the head budget (half the
// cap) is spent; later lines keep only the newest tail (the other half) in memory, and close()
// appends "[kiln-server: N lines (M bytes) dropped]" and that tail, so the file never exceeds
// the cap by more than one line. Readers (the SSE stream) follow it live by line number; each
// line also has its offset: the byte just after it in the log file (earlier attempts included),
// counted as the lines were produced, so a reader can resume after the last line it saw.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::server {

class BuildLog {
 public:
  /// Appends to `file` (a re-run after a restart continues the same file). `redactions` are
  /// replaced by **** in every line before it is kept anywhere.
  BuildLog(std::filesystem::path file, std::int64_t cap_bytes, std::vector<std::string> redactions);
  BuildLog(const BuildLog&) = delete;
  BuildLog& operator=(const BuildLog&) = delete;

  void append(std::string_view line);
  /// Writes the kept tail and wakes every reader; `final_state` goes to the readers' end event.
  void close(const std::string& final_state);

  struct Chunk {
    std::vector<std::string> lines;
    std::vector<std::int64_t> ends;  ///< the offset just after each line
    std::size_t next = 0;   ///< line number to ask for next
    bool ended = false;     ///< closed and everything up to `next` was returned
    std::string final_state;
  };
  /// Lines from number `from` on, waiting up to `wait` for one when there is none yet. Lines
  /// that fell out of the kept tail are replaced by one "[… dropped]" line.
  Chunk read_from(std::size_t from, std::chrono::milliseconds wait);
  /// The number of the first line that ends after byte `offset` (a reader that saw everything up
  /// to `offset` goes on from there).
  std::size_t first_line_after(std::int64_t offset);
  /// Bytes the file held before this run (earlier attempts): readers send those first.
  std::int64_t prior_bytes() const { return prior_bytes_; }

 private:
  std::string redact(std::string_view line) const;

  std::filesystem::path path_;
  std::int64_t head_budget_, tail_budget_;
  std::vector<std::string> redactions_;
  std::ofstream file_;
  std::int64_t head_bytes_ = 0;
  std::int64_t prior_bytes_ = 0;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> head_;  // lines 0 .. head_.size()-1, also on disk
  std::vector<std::int64_t> head_ends_;
  std::deque<std::string> tail_;   // the newest lines after the head
  std::deque<std::int64_t> tail_ends_;
  std::int64_t produced_ = 0;      // offset after the last line appended
  std::size_t tail_first_ = 0;     // line number of tail_.front()
  std::int64_t tail_bytes_ = 0, dropped_bytes_ = 0;
  std::size_t dropped_lines_ = 0;
  bool closed_ = false;
  std::string final_state_;
};

}  // namespace kiln::server
