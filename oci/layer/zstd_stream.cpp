#include "oci/layer/zstd_stream.h"

#include <zstd.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"

namespace kiln::oci {

struct ZstdStream::State {
  struct FreeContext {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };
  std::unique_ptr<ZSTD_CCtx, FreeContext> context{ZSTD_createCCtx()};
  Sink sink;
  // What libzstd recommends per call: one whole block, so no output is held back.
  std::vector<char> out = std::vector<char>(ZSTD_CStreamOutSize());
  bool finished = false;

  void check(std::size_t result, const char* what) const {
    if (ZSTD_isError(result)) throw_infra(std::string("zstd: ") + what + ": " + ZSTD_getErrorName(result));
  }

  // Runs the compressor until it has taken all of `in` (continue) or ended the frame (end).
  void drive(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    for (;;) {
      ZSTD_outBuffer buffer{out.data(), out.size(), 0};
      const std::size_t left = ZSTD_compressStream2(context.get(), &buffer, &in, mode);
      check(left, "compressing the layer");
      if (buffer.pos > 0) sink(out.data(), buffer.pos);
      if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) return;
    }
  }
};

ZstdStream::ZstdStream(const Options& options, Sink sink) : state_(std::make_unique<State>()) {
  if (options.level < 1 || options.level > 19)
    throw_usage("zstd compression level " + std::to_string(options.level) + " is out of range 1-19");
  if (!state_->context) throw_infra("zstd: cannot set up the compressor");
  state_->sink = std::move(sink);
  const unsigned workers = options.workers ? options.workers : std::max(1u, std::thread::hardware_concurrency());
  state_->check(ZSTD_CCtx_setParameter(state_->context.get(), ZSTD_c_compressionLevel, options.level),
                "setting the level");
  state_->check(ZSTD_CCtx_setParameter(state_->context.get(), ZSTD_c_nbWorkers, static_cast<int>(workers)),
                "starting worker threads (is libzstd built with multi-threading?)");
}

ZstdStream::~ZstdStream() = default;

void ZstdStream::write(const void* data, std::size_t size) {
  if (state_->finished) throw_infra("zstd: write after finish");
  ZSTD_inBuffer in{data, size, 0};
  state_->drive(in, ZSTD_e_continue);
}

void ZstdStream::finish() {
  if (state_->finished) return;
  ZSTD_inBuffer none{nullptr, 0, 0};
  state_->drive(none, ZSTD_e_end);
  state_->finished = true;
}

}  // namespace kiln::oci
