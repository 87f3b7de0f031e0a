// kiln's internal layers log through spdlog's default logger. libkiln points it at the program's
// handler (or standard error), redacted at the sink like kiln's own programs do (core/log.h),
// and quiet below warnings until the program says otherwise.
#include "kiln/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <mutex>

#include "core/log.h"
#include "library/logging.h"

namespace kiln {
namespace library {
namespace {

LogLevel level_of(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return LogLevel::debug;
    case spdlog::level::info: return LogLevel::info;
    case spdlog::level::warn: return LogLevel::warn;
    default: return LogLevel::error;
  }
}

spdlog::level::level_enum spdlog_level(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return spdlog::level::debug;
    case LogLevel::info: return spdlog::level::info;
    case LogLevel::warn: return spdlog::level::warn;
    case LogLevel::error: return spdlog::level::err;
    case LogLevel::off: return spdlog::level::off;
  }
  return spdlog::level::warn;
}

class HandlerSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit HandlerSink(LogHandler handler) : handler_(std::move(handler)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line = kiln::log::redact(fmt::to_string(formatted));
    if (handler_) {
      while (!line.empty() && line.back() == '\n') line.pop_back();
      handler_(level_of(msg.level), line);
    } else {
      std::cerr << line << std::flush;
    }
  }
  void flush_() override {}

 private:
  LogHandler handler_;
};

std::once_flag default_installed;

void install(LogLevel level, LogHandler handler) {
  // Standard error gets kiln's programs' "level: message" lines, with "kiln: " in front.
  const char* pattern = handler ? "%v" : "kiln: %l: %v";
  auto logger = std::make_shared<spdlog::logger>("kiln", std::make_shared<HandlerSink>(std::move(handler)));
  logger->set_pattern(pattern);
  logger->set_level(spdlog_level(level));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace

void ensure_logging() {
  std::call_once(default_installed, [] { install(LogLevel::warn, {}); });
}

}  // namespace library

void set_log_handler(LogLevel level, LogHandler handler) {
  std::call_once(library::default_installed, [] {});  // the program's choice is not overwritten later
  library::install(level, std::move(handler));
}

}  // namespace kiln
