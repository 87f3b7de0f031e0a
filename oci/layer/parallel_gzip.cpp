#include "oci/layer/parallel_gzip.h"

#include <zlib.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.h"

namespace kiln::oci {
namespace {

// deflate's window: a block primed with the previous block's last 32 KiB compresses almost
// as well as one long stream, and its bytes still depend on nothing but the input.
constexpr std::size_t kDictionary = 32 * 1024;
constexpr std::size_t kHeaderSize = 10;
constexpr unsigned kMaxInFlight = 16;

using Bytes = std::vector<unsigned char>;

// resize() without zero-filling: deflate writes the bytes it produces, and zeroing the rest of
// a deflateBound()-sized buffer would only fault in pages nothing ever reads.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using Output = std::vector<unsigned char, UninitializedAllocator<unsigned char>>;

// RFC 1952 header: ID1 ID2 CM=deflate FLG=0 (no name, comment or extra) MTIME=0 (none),
// XFL (2: slowest, 4: fastest), OS=3 (Unix) whatever the machine.
void put_header(unsigned char* out, int level) {
  const unsigned char xfl = level == 9 ? 2 : level == 1 ? 4 : 0;
  const unsigned char header[kHeaderSize] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3};
  std::copy(header, header + kHeaderSize, out);
}

void put_le32(Output& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<unsigned char>(value >> (8 * i)));
}

// One block on its way through the pool. Jobs are recycled, so their buffers keep their
// capacity and a steady stream allocates nothing.
struct Job {
  std::uint64_t seq = 0;
  bool last = false;
  Bytes input;
  Bytes dictionary;
  Output output;
  uLong crc = 0;
  bool done = false;
  std::string error;
};

// Raw deflate of one block into job.output (after room for the header on block 0).
void compress(z_stream& z, Job& job, int level) {
  job.error.clear();
  job.crc = crc32_z(crc32_z(0, nullptr, 0), job.input.data(), job.input.size());
  if (deflateReset(&z) != Z_OK) return void(job.error = "deflateReset failed");
  if (!job.dictionary.empty() &&
      deflateSetDictionary(&z, job.dictionary.data(), static_cast<uInt>(job.dictionary.size())) != Z_OK)
    return void(job.error = "deflateSetDictionary failed");
  const std::size_t start = job.seq == 0 ? kHeaderSize : 0;
  job.output.resize(start + deflateBound(&z, job.input.size()) + 64);
  if (start) put_header(job.output.data(), level);
  z.next_in = job.input.data();
  z.avail_in = static_cast<uInt>(job.input.size());
  std::size_t used = start;
  const int flush = job.last ? Z_FINISH : Z_SYNC_FLUSH;
  for (;;) {
    z.next_out = job.output.data() + used;
    z.avail_out = static_cast<uInt>(job.output.size() - used);
    const int r = deflate(&z, flush);
    used = job.output.size() - z.avail_out;
    if (r == Z_STREAM_ERROR) return void(job.error = "deflate failed");
    // zlib: while avail_out is 0 the flush may be unfinished, so call again with more room.
    const bool complete = job.last ? r == Z_STREAM_END : z.avail_in == 0 && z.avail_out != 0;
    if (complete) break;
    if (z.avail_out != 0) return void(job.error = "deflate made no progress");
    job.output.resize(job.output.size() * 2);
  }
  job.output.resize(used);
}

}  // namespace

struct ParallelGzip::Pool {
  Options options;
  Sink sink;
  unsigned max_in_flight = 2;

  std::mutex mutex;
  std::condition_variable work_ready;
  std::condition_variable job_done;
  std::deque<std::shared_ptr<Job>> pending;    // submitted, not picked up by a worker
  bool stopping = false;
  std::vector<z_stream> streams;               // one per worker
  std::vector<std::thread> workers;

  // Only the caller's thread touches the rest.
  std::deque<std::shared_ptr<Job>> in_order;   // submitted, not yet given to the sink
  std::vector<std::shared_ptr<Job>> spare;
  std::shared_ptr<Job> current;                // the block being filled
  Bytes previous_tail;                         // the last submitted block's last 32 KiB
  std::uint64_t next_seq = 0;
  std::uint64_t total_in = 0;
  uLong crc = crc32_z(0, nullptr, 0);
  bool finished = false;

  void work(z_stream& z) {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return stopping || !pending.empty(); });
        if (stopping) return;
        job = std::move(pending.front());
        pending.pop_front();
      }
      compress(z, *job, options.level);
      {
        std::lock_guard lock(mutex);
        job->done = true;
      }
      job_done.notify_all();
    }
  }

  std::shared_ptr<Job> fresh_job() {
    std::shared_ptr<Job> job;
    if (spare.empty()) {
      job = std::make_shared<Job>();
      job->input.reserve(options.block_size);
    } else {
      job = std::move(spare.back());
      spare.pop_back();
    }
    job->input.clear();
    job->done = false;
    return job;
  }

  void submit(bool last) {
    std::shared_ptr<Job> job = std::exchange(current, nullptr);
    job->seq = next_seq++;
    job->last = last;
    job->dictionary = previous_tail;
    const std::size_t tail = std::min(kDictionary, job->input.size());
    previous_tail.assign(job->input.end() - static_cast<std::ptrdiff_t>(tail), job->input.end());
    while (in_order.size() >= max_in_flight) emit_oldest();
    {
      std::lock_guard lock(mutex);
      pending.push_back(job);
    }
    work_ready.notify_one();
    in_order.push_back(std::move(job));
    // Hand over whatever is already done, so the sink (hashing, upload) keeps pace.
    while (!in_order.empty() && is_done(*in_order.front())) emit_oldest();
  }

  bool is_done(const Job& job) {
    std::lock_guard lock(mutex);
    return job.done;
  }

  // Waits for the oldest block, then gives its bytes to the sink, outside the lock.
  void emit_oldest() {
    std::shared_ptr<Job> job = std::move(in_order.front());
    in_order.pop_front();
    {
      std::unique_lock lock(mutex);
      job_done.wait(lock, [&] { return job->done; });
    }
    if (!job->error.empty()) throw_infra("gzip: " + job->error);
    crc = crc32_combine(crc, job->crc, static_cast<z_off_t>(job->input.size()));
    if (job->last) {  // RFC 1952 trailer: CRC-32, then ISIZE (input size mod 2^32)
      put_le32(job->output, static_cast<std::uint32_t>(crc));
      put_le32(job->output, static_cast<std::uint32_t>(total_in));
    }
    sink(job->output.data(), job->output.size());
    spare.push_back(std::move(job));
  }
};

ParallelGzip::ParallelGzip(const Options& options, Sink sink) : pool_(std::make_unique<Pool>()) {
  Pool& pool = *pool_;
  pool.options = options;
  pool.sink = std::move(sink);
  if (options.level < 1 || options.level > 9)
    throw_usage("gzip compression level " + std::to_string(options.level) + " is out of range 1-9");
  if (options.block_size == 0) throw_usage("gzip block size must not be 0");
  const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  pool.max_in_flight = std::clamp(2 * threads, 2u, kMaxInFlight);
  pool.streams.resize(threads);
  for (std::size_t i = 0; i < pool.streams.size(); ++i) {
    z_stream& z = pool.streams[i];
    z = z_stream{};
    // Negative window bits: raw deflate, as the gzip wrapper is written here.
    if (deflateInit2(&z, options.level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      pool.streams.resize(i);
      for (z_stream& done : pool.streams) deflateEnd(&done);
      throw_infra("gzip: cannot set up the compressor");
    }
  }
  for (z_stream& z : pool.streams) pool.workers.emplace_back([&pool, &z] { pool.work(z); });
  pool.current = pool.fresh_job();
}

ParallelGzip::~ParallelGzip() {
  {
    std::lock_guard lock(pool_->mutex);
    pool_->stopping = true;
  }
  pool_->work_ready.notify_all();
  for (std::thread& worker : pool_->workers) worker.join();
  for (z_stream& z : pool_->streams) deflateEnd(&z);
}

void ParallelGzip::write(const void* data, std::size_t size) {
  Pool& pool = *pool_;
  if (!pool.current) throw_infra("gzip: the stream failed earlier");
  const auto* p = static_cast<const unsigned char*>(data);
  while (size > 0) {
    // A full block is submitted only once more data arrives: the last block, full or not,
    // is the one finish() ends with Z_FINISH.
    if (pool.current->input.size() == pool.options.block_size) {
      pool.submit(false);
      pool.current = pool.fresh_job();
    }
    const std::size_t take = std::min(size, pool.options.block_size - pool.current->input.size());
    pool.current->input.insert(pool.current->input.end(), p, p + take);
    pool.total_in += take;
    p += take;
    size -= take;
  }
}

void ParallelGzip::finish() {
  Pool& pool = *pool_;
  if (pool.finished) return;
  if (!pool.current) throw_infra("gzip: the stream failed earlier");
  pool.submit(true);
  while (!pool.in_order.empty()) pool.emit_oldest();
  pool.finished = true;
}


}  // namespace kiln::oci
