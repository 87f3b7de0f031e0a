#include "core/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <iostream>
#include <mutex>
#include <map>

namespace kiln::log {
namespace {

std::mutex secrets_mutex;
// Each secret with how many registrations hold it.
std::map<std::string, int>& secrets() {
  static std::map<std::string, int> s;
  return s;
}

thread_local RedactionScope* current_scope = nullptr;

// Very short values would redact ordinary words; no real credential is that short.
bool worth_redacting(const std::string& secret) { return secret.size() >= 4; }

// Redacts at the sink so that no logger call, however it formats its arguments, can leak.
class RedactingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::cerr << redact(fmt::to_string(formatted)) << std::flush;
  }
  void flush_() override { std::cerr.flush(); }
};

}  // namespace

void setup(Level level) {
  auto logger = std::make_shared<spdlog::logger>("kiln", std::make_shared<RedactingStderrSink>());
  logger->set_pattern("%^%l%$: %v");
  switch (level) {
    case Level::debug: logger->set_level(spdlog::level::debug); break;
    case Level::info: logger->set_level(spdlog::level::info); break;
    case Level::warn: logger->set_level(spdlog::level::warn); break;
    case Level::error: logger->set_level(spdlog::level::err); break;
  }
  spdlog::set_default_logger(logger);
}

namespace {

void hold(const std::string& secret) {
  std::lock_guard lock(secrets_mutex);
  ++secrets()[secret];
}

void release(const std::vector<std::string>& held) {
  std::lock_guard lock(secrets_mutex);
  for (const auto& secret : held) {
    if (!worth_redacting(secret)) continue;
    if (auto it = secrets().find(secret); it != secrets().end() && --it->second == 0) secrets().erase(it);
  }
}

}  // namespace

void add_secret(const std::string& secret) {
  if (!worth_redacting(secret)) return;
  hold(secret);
  if (current_scope) current_scope->taken_.push_back(secret);
}

ScopedSecrets::ScopedSecrets(std::vector<std::string> secrets) : secrets_(std::move(secrets)) {
  for (const auto& secret : secrets_)
    if (worth_redacting(secret)) hold(secret);
}

ScopedSecrets::~ScopedSecrets() { release(secrets_); }

RedactionScope::RedactionScope() : outer_(current_scope) { current_scope = this; }

RedactionScope::~RedactionScope() {
  current_scope = outer_;
  release(taken_);
}

std::size_t secret_count() {
  std::lock_guard lock(secrets_mutex);
  return secrets().size();
}

std::string redact(std::string text) {
  std::lock_guard lock(secrets_mutex);
  for (const auto& [secret, holders] : secrets()) {
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
      text.replace(pos, secret.size(), "****");
  }
  return text;
}

Level parse_level(const std::string& text) {
  if (text == "debug" || text == "trace") return Level::debug;
  if (text == "warn" || text == "warning") return Level::warn;
  if (text == "error" || text == "quiet") return Level::error;
  return Level::info;
}

}  // namespace kiln::log
