#pragma once
// A build as kiln-server keeps it. Secret settings are held apart from the others so that
// nothing that serialises a record for the API or the database can reach them by accident.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace kiln::server {

enum class BuildState { queued, running, succeeded, failed, cancelled };

std::string to_string(BuildState state);
/// Throws kiln::Error(infra) for a value this server never writes.
BuildState parse_build_state(const std::string& text);
inline bool is_final(BuildState s) { return s == BuildState::succeeded || s == BuildState::failed || s == BuildState::cancelled; }

using SettingMap = std::map<std::string, std::string>;
/// A client's labels, to find its builds again (GET /v1/builds?label=key=value); api/labels.h bounds them.
using Labels = std::map<std::string, std::string>;

/// What a client submits for one build (after validation).
struct BuildSpec {
  SettingMap settings;         ///< plugin settings, not secret; lists joined with ','
  SettingMap secret_settings;  ///< plugin settings the table marks secret
  std::string context_dir;     ///< absolute directory on the server
  SettingMap verify_settings;  ///< kiln-verify settings; empty map and !verify: no verify step
  SettingMap verify_secret_settings;
  bool verify = false;
  std::int64_t timeout_seconds = 0;  ///< the build's own deadline ("timeout"); 0: the server's build_timeout
  Labels labels;                     ///< its batch's labels and its own
};

struct BuildRecord {
  std::int64_t seq = 0;  ///< insertion order, never reused: the key of listings' cursors
  std::string id;
  std::string batch_id;  ///< empty when submitted alone
  BuildState state = BuildState::queued;
  BuildSpec spec;        ///< secret maps are filled only by BuildStore::claim_next()
  std::int64_t created_ms = 0, started_ms = 0, finished_ms = 0;  ///< unix ms (now_ms()); 0: not yet
  int exit_code = -1;
  std::string digest;
  std::string message;
  int attempts = 0;      ///< runs started; a run interrupted by a server crash counts
  bool has_report = false;
  std::string rerun_of;  ///< the build this one re-runs (POST /v1/builds/{id}/rerun); empty otherwise
};

struct BatchRecord {
  std::string id;
  std::int64_t created_ms = 0;
  Labels labels;
};

/// Now, in the unit of BuildRecord's *_ms fields.
std::int64_t now_ms();

}  // namespace kiln::server
