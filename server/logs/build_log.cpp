#include "server/logs/build_log.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "core/log.h"

namespace kiln::server {

BuildLog::BuildLog(std::filesystem::path file, std::int64_t cap_bytes, std::vector<std::string> redactions)
    : path_(std::move(file)), head_budget_(cap_bytes / 2), tail_budget_(cap_bytes - cap_bytes / 2),
      redactions_(std::move(redactions)) {
  std::error_code ec;
  // A re-run after a restart continues the file; what is already there spends head budget.
  head_bytes_ = static_cast<std::int64_t>(std::filesystem::file_size(path_, ec));
  if (ec) head_bytes_ = 0;
  prior_bytes_ = head_bytes_;
  produced_ = prior_bytes_;
  file_.open(path_, std::ios::app | std::ios::binary);
  if (!file_) throw_infra(fmt::format("{}: cannot open the build log", path_.string()));
}

std::string BuildLog::redact(std::string_view line) const {
  std::string text(line);
  for (const auto& secret : redactions_) {
    if (secret.size() < 4) continue;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
      text.replace(pos, secret.size(), "****");
  }
  // And whatever the server registered globally (core/log.h).
  return log::redact(std::move(text));
}

void BuildLog::append(std::string_view raw) {
  std::string line = redact(raw);
  const auto size = static_cast<std::int64_t>(line.size() + 1);
  std::lock_guard lock(mutex_);
  if (closed_) return;
  produced_ += size;
  if (tail_.empty() && dropped_lines_ == 0 && head_bytes_ + size <= head_budget_) {
    file_ << line << '\n' << std::flush;
    head_bytes_ += size;
    head_.push_back(std::move(line));
    head_ends_.push_back(produced_);
    tail_first_ = head_.size();
  } else {
    tail_.push_back(std::move(line));
    tail_ends_.push_back(produced_);
    tail_bytes_ += size;
    while (tail_bytes_ > tail_budget_ && tail_.size() > 1) {
      tail_bytes_ -= static_cast<std::int64_t>(tail_.front().size() + 1);
      dropped_bytes_ += static_cast<std::int64_t>(tail_.front().size() + 1);
      ++dropped_lines_;
      ++tail_first_;
      tail_.pop_front();
      tail_ends_.pop_front();
    }
  }
  changed_.notify_all();
}

void BuildLog::close(const std::string& final_state) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  if (dropped_lines_ > 0)
    file_ << fmt::format("[kiln-server: {} lines ({} bytes) dropped: the log cap keeps the head and the tail]\n",
                         dropped_lines_, dropped_bytes_);
  for (const auto& line : tail_) file_ << line << '\n';
  file_.flush();
  file_.close();
  closed_ = true;
  final_state_ = final_state;
  changed_.notify_all();
}

BuildLog::Chunk BuildLog::read_from(std::size_t from, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  const auto total = [&] { return tail_first_ + tail_.size(); };
  changed_.wait_for(lock, wait, [&] { return closed_ || total() > from; });
  Chunk chunk;
  std::size_t n = from;
  for (; n < head_.size(); ++n) {
    chunk.lines.push_back(head_[n]);
    chunk.ends.push_back(head_ends_[n]);
  }
  if (n < tail_first_ && total() > n) {
    chunk.lines.push_back(fmt::format("[kiln-server: {} lines dropped by the log cap]", tail_first_ - n));
    // Where the first kept line of the tail starts: resuming after the marker gives that line.
    chunk.ends.push_back(tail_ends_.front() - static_cast<std::int64_t>(tail_.front().size() + 1));
    n = tail_first_;
  }
  for (; n < total(); ++n) {
    chunk.lines.push_back(tail_[n - tail_first_]);
    chunk.ends.push_back(tail_ends_[n - tail_first_]);
  }
  chunk.next = n;
  chunk.ended = closed_;
  chunk.final_state = final_state_;
  return chunk;
}

std::size_t BuildLog::first_line_after(std::int64_t offset) {
  std::lock_guard lock(mutex_);
  const auto in_head = std::upper_bound(head_ends_.begin(), head_ends_.end(), offset);
  if (in_head != head_ends_.end()) return static_cast<std::size_t>(in_head - head_ends_.begin());
  const auto in_tail = std::upper_bound(tail_ends_.begin(), tail_ends_.end(), offset);
  if (in_tail == tail_ends_.begin()) return head_.size();  // in the dropped gap: the marker, then the tail
  return tail_first_ + static_cast<std::size_t>(in_tail - tail_ends_.begin());
}

}  // namespace kiln::server
