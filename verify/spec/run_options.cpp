#include "verify/spec/run_options.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "core/error.h"
#include "core/text.h"

namespace kiln::verify {

const std::vector<std::string>& all_capabilities() {
  static const std::vector<std::string> names = {
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
      "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
      "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
      "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
      "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
      "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
      "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};
  return names;
}

std::optional<std::vector<std::string>> capability_names(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (upper == "ALL" || upper == "CAP_ALL") return all_capabilities();
  if (!upper.starts_with("CAP_")) upper = "CAP_" + upper;
  const auto& all = all_capabilities();
  if (std::find(all.begin(), all.end(), upper) == all.end()) return std::nullopt;
  return std::vector<std::string>{upper};
}

std::optional<BindMount> parse_bind_mount(std::string_view text, std::string& why) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in{std::string(text)};
  while (std::getline(in, part, ':')) parts.push_back(part);
  if (parts.size() < 2 || parts.size() > 3) {
    why = "expected host:container or host:container:ro";
    return std::nullopt;
  }
  BindMount mount{.host = parts[0], .container = parts[1]};
  if (!mount.host.starts_with("/")) {
    why = "the host path must be absolute (Docker would take \"" + mount.host + "\" as a named volume, which kiln has not)";
    return std::nullopt;
  }
  if (!mount.container.starts_with("/")) {
    why = "the container path must be absolute";
    return std::nullopt;
  }
  if (parts.size() == 3) {
    std::istringstream options(parts[2]);
    for (std::string option; std::getline(options, option, ',');) {
      if (option == "ro") mount.read_only = true;
      else if (option == "rw") mount.read_only = false;
      else {
        why = "mount option \"" + option + "\" is not supported (kiln reads ro and rw)";
        return std::nullopt;
      }
    }
  }
  return mount;
}

std::vector<std::pair<std::string, std::string>> parse_env_file(const std::string& text, const std::string& file) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream lines(text);
  std::size_t number = 0;
  for (std::string raw; std::getline(lines, raw);) {
    ++number;
    std::string line = std::string(trim(raw));
    if (line.empty() || line.starts_with("#")) continue;
    if (line.starts_with("export ")) line = std::string(trim(line.substr(7)));
    const std::size_t separator = line.find_first_of("=:");
    if (separator == std::string::npos || separator == 0)
      throw_usage(file + ":" + std::to_string(number) + ": expected KEY=VALUE");
    const std::string key = std::string(trim(line.substr(0, separator)));
    std::string value = std::string(trim(line.substr(separator + 1)));
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      value = value.substr(1, value.size() - 2);
    } else if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      std::string unescaped;
      for (std::size_t i = 1; i + 1 < value.size(); ++i) {
        if (value[i] == '\\' && i + 2 < value.size()) {
          const char next = value[++i];
          unescaped += next == 'n' ? '\n' : next;
        } else {
          unescaped += value[i];
        }
      }
      value = unescaped;
    } else if (const std::size_t comment = value.find(" #"); comment != std::string::npos) {
      value = std::string(trim(value.substr(0, comment)));
    }
    if (!key.empty() && !value.empty()) out.emplace_back(key, value);
  }
  return out;
}

}  // namespace kiln::verify
