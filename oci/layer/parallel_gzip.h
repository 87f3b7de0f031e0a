#pragma once
// gzip (RFC 1952) compressed in parallel, pigz style, with bytes that do not depend on the
// number of threads: the input is cut into blocks of a fixed size, each block is raw-deflated
// on its own (primed with the previous block's last 32 KiB as dictionary, ended with
// Z_SYNC_FLUSH, the last one with Z_FINISH), and the pieces are written in order between a
// fixed header (no name, no timestamp, OS = Unix) and the combined CRC-32 and ISIZE. The
// result is one ordinary deflate stream that any gunzip reads.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace kiln::oci {

class ParallelGzip {
 public:
  /// Receives the compressed bytes, in order, on the thread that calls write() or finish().
  /// It may throw; the exception leaves write() or finish(), and the stream is then broken:
  /// later calls throw kiln::Error(infra).
  using Sink = std::function<void(const void* data, std::size_t size)>;

  static constexpr std::size_t kDefaultBlockSize = std::size_t{1} << 20;

  struct Options {
    int level = 1;                                 ///< zlib level 1-9
    unsigned threads = 0;                          ///< 0: std::thread::hardware_concurrency()
    std::size_t block_size = kDefaultBlockSize;    ///< changes the bytes; threads never do
  };

  /// Starts the worker threads. Memory is bounded: at most 2 blocks per thread (and no more
  /// than 16) are in flight, each holding its input and its compressed output.
  ParallelGzip(const Options& options, Sink sink);
  /// Stops the workers; an unfinished stream is abandoned.
  ~ParallelGzip();
  ParallelGzip(const ParallelGzip&) = delete;
  ParallelGzip& operator=(const ParallelGzip&) = delete;

  void write(const void* data, std::size_t size);
  /// Compresses what is left and hands the sink the last block and the trailer.
  void finish();

 private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
};

}  // namespace kiln::oci
