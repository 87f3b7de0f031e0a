#include "verify/driver/blob_stream.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <ostream>
#include <streambuf>
#include <string>

namespace kiln::verify {
namespace {

// 64 KiB chunks, at most 16 in flight: 1 MiB of blob between the download and libarchive.
constexpr std::size_t kChunkBytes = 64 * 1024;
constexpr std::size_t kQueuedChunks = 16;

struct Cancelled {};

}  // namespace

struct BlobStream::Shared {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> chunks;
  bool done = false;
  bool cancelled = false;
  std::exception_ptr error;

  // Blocks while the queue is full; throws Cancelled (out of the BlobReader's write) once the
  // consumer is gone, which ends the download.
  void push(std::string chunk) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return chunks.size() < kQueuedChunks || cancelled; });
    if (cancelled) throw Cancelled{};
    chunks.push_back(std::move(chunk));
    changed.notify_all();
  }
};

namespace {

// The ostream side the BlobReader writes into.
class QueueBuffer : public std::streambuf {
 public:
  explicit QueueBuffer(BlobStream::Shared& shared) : shared_(shared) { pending_.reserve(kChunkBytes); }
  void flush_rest() {
    if (!pending_.empty()) shared_.push(std::move(pending_));
    pending_.clear();
  }

 protected:
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    std::streamsize left = size;
    while (left > 0) {
      const auto take = std::min<std::size_t>(static_cast<std::size_t>(left), kChunkBytes - pending_.size());
      pending_.append(data, take);
      data += take;
      left -= static_cast<std::streamsize>(take);
      if (pending_.size() == kChunkBytes) {
        shared_.push(std::move(pending_));
        pending_.clear();
        pending_.reserve(kChunkBytes);
      }
    }
    return size;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char ch = traits_type::to_char_type(c);
    xsputn(&ch, 1);
    return c;
  }

 private:
  BlobStream::Shared& shared_;
  std::string pending_;
};

}  // namespace

BlobStream::BlobStream(std::shared_ptr<oci::BlobReader> reader, const oci::Digest& digest, std::int64_t size)
    : shared_(std::make_shared<Shared>()) {
  producer_ = std::thread([shared = shared_, reader = std::move(reader), digest, size] {
    std::exception_ptr error;
    try {
      QueueBuffer buffer(*shared);
      std::ostream out(&buffer);
      // Lets Cancelled leave the reader's write instead of only setting badbit.
      out.exceptions(std::ios::badbit);
      reader->fetch_to(digest, size, out);
      buffer.flush_rest();
    } catch (const Cancelled&) {
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(shared->mutex);
    shared->error = error;
    shared->done = true;
    shared->changed.notify_all();
  });
}

BlobStream::~BlobStream() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->cancelled = true;
    shared_->chunks.clear();
    shared_->changed.notify_all();
  }
  producer_.join();
}

std::string_view BlobStream::next() {
  std::unique_lock lock(shared_->mutex);
  shared_->changed.wait(lock, [&] { return !shared_->chunks.empty() || shared_->done; });
  if (!shared_->chunks.empty()) {
    current_ = std::move(shared_->chunks.front());
    shared_->chunks.pop_front();
    shared_->changed.notify_all();
    bytes_ += current_.size();
    return current_;
  }
  if (shared_->error) std::rethrow_exception(shared_->error);
  return {};
}

void BlobStream::finish() {
  while (!next().empty()) {
  }
}

}  // namespace kiln::verify
