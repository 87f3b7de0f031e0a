#pragma once
// zstd compressed by libzstd's own worker threads (ZSTD_c_nbWorkers), called directly rather
// than through libarchive's filter. Workers are always on (at least one): libzstd's
// multi-threaded format cuts the input into jobs whose size depends on the level only, so the
// bytes are the same for 1, 2 or 64 workers (but differ from single-threaded mode, which is
// therefore never used). The frame is what libarchive 3.6's zstd filter wrote with
// zstd:threads=N (every byte fed with ZSTD_e_continue, then ZSTD_e_end on no input), so layer
// digests did not change when kiln moved off libarchive here.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace kiln::oci {

class ZstdStream {
 public:
  /// Receives the compressed bytes, in order, on the thread that calls write() or finish().
  /// It may throw; the exception leaves write() or finish().
  using Sink = std::function<void(const void* data, std::size_t size)>;

  struct Options {
    int level = 1;         ///< 1-19
    unsigned workers = 0;  ///< 0: std::thread::hardware_concurrency(); never changes the bytes
  };

  /// Throws kiln::Error(usage) for a level out of range, kiln::Error(infra) when libzstd
  /// cannot set up (no multi-threading support, out of memory).
  ZstdStream(const Options& options, Sink sink);
  ~ZstdStream();
  ZstdStream(const ZstdStream&) = delete;
  ZstdStream& operator=(const ZstdStream&) = delete;

  void write(const void* data, std::size_t size);
  /// Ends the frame and hands the sink what is left.
  void finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kiln::oci
