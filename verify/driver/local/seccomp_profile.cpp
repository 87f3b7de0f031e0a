#include "verify/driver/local/seccomp_profile.h"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/elf.h"
#include "core/error.h"

namespace kiln::verify {

extern const char* const kDockerDefaultSeccompProfile;

namespace {

using nlohmann::json;

// The profile names architectures as libseccomp does; kiln names them as OCI (Go) does.
// Both tables are moby's (profiles/seccomp/seccomp_linux.go: goToNative, nativeToSeccomp).
std::string native_name(const std::string& oci) {
  static const std::map<std::string, std::string> names = {
      {"386", "x86"},          {"mips64le", "mipsel64"}, {"mips64p32", "mips64n32"}, {"mips64p32le", "mips3l64n32"},
      {"mipsle", "mipsel"},    {"loong64", "loongarch64"}};
  const auto it = names.find(oci);
  return it == names.end() ? oci : it->second;
}

std::string seccomp_arch(const std::string& native) {
  static const std::map<std::string, std::string> arches = {
      {"x86", "SCMP_ARCH_X86"},          {"amd64", "SCMP_ARCH_X86_64"},      {"arm", "SCMP_ARCH_ARM"},
      {"arm64", "SCMP_ARCH_AARCH64"},    {"mips64", "SCMP_ARCH_MIPS64"},     {"mips64n32", "SCMP_ARCH_MIPS64N32"},
      {"mipsel64", "SCMP_ARCH_MIPSEL64"}, {"mips3l64n32", "SCMP_ARCH_MIPSEL64N32"}, {"mipsel", "SCMP_ARCH_MIPSEL"},
      {"ppc", "SCMP_ARCH_PPC"},          {"ppc64", "SCMP_ARCH_PPC64"},       {"ppc64le", "SCMP_ARCH_PPC64LE"},
      {"riscv64", "SCMP_ARCH_RISCV64"},  {"s390", "SCMP_ARCH_S390"},         {"s390x", "SCMP_ARCH_S390X"},
      {"loong64", "SCMP_ARCH_LOONGARCH64"}};
  const auto it = arches.find(native);
  return it == arches.end() ? "" : it->second;
}

bool lists(const json& list, const std::string& value) {
  return list.is_array() && std::find(list.begin(), list.end(), value) != list.end();
}

// "4.8": whether the running kernel is at least that, comparing major and minor only.
bool kernel_at_least(const json& version, const SeccompTarget& target) {
  int major = 0, minor = 0;
  if (!version.is_string() || std::sscanf(version.get<std::string>().c_str(), "%d.%d", &major, &minor) != 2)
    throw_infra(fmt::format("seccomp profile: minKernel {} is not a version such as \"4.8\"", version.dump()));
  return target.kernel_major > major || (target.kernel_major == major && target.kernel_minor >= minor);
}

// moby's setupSeccomp, rule by rule: `excludes` drops a rule when any of its conditions holds,
// `includes` keeps it only when all of them hold.
bool applies(const json& rule, const std::string& arch, const SeccompTarget& target) {
  const auto holds = [&](const json& cap) {
    return cap.is_string() && std::find(target.capabilities.begin(), target.capabilities.end(),
                                        cap.get<std::string>()) != target.capabilities.end();
  };
  if (const auto it = rule.find("excludes"); it != rule.end()) {
    if (lists(it->value("arches", json::array()), arch)) return false;
    const json caps = it->value("caps", json::array());
    if (std::any_of(caps.begin(), caps.end(), holds)) return false;
    if (it->contains("minKernel") && kernel_at_least((*it)["minKernel"], target)) return false;
  }
  if (const auto it = rule.find("includes"); it != rule.end()) {
    const json arches = it->value("arches", json::array());
    if (!arches.empty() && !lists(arches, arch)) return false;
    const json caps = it->value("caps", json::array());
    if (!std::all_of(caps.begin(), caps.end(), holds)) return false;
    if (it->contains("minKernel") && !kernel_at_least((*it)["minKernel"], target)) return false;
  }
  return true;
}

}  // namespace

json resolve_seccomp_profile(const json& profile, const SeccompTarget& target) {
  if (!profile.is_object() || !profile.contains("syscalls") || !profile["syscalls"].is_array())
    throw_infra("seccomp profile: not an object with a \"syscalls\" list");
  if (profile.contains("architectures") && profile.contains("archMap"))
    throw_infra("seccomp profile: both \"architectures\" and \"archMap\" are given");
  const std::string arch = native_name(target.architecture);
  json out = json::object();
  for (const auto& [key, value] : profile.items())
    if (key != "archMap" && key != "syscalls") out[key] = value;
  if (profile.contains("archMap")) {
    out["architectures"] = json::array();
    for (const json& entry : profile["archMap"])
      if (entry.value("architecture", "") == seccomp_arch(arch)) {
        out["architectures"].push_back(entry["architecture"]);
        for (const json& sub : entry.value("subArchitectures", json::array())) out["architectures"].push_back(sub);
      }
  }
  out["syscalls"] = json::array();
  for (const json& rule : profile["syscalls"]) {
    if (!applies(rule, arch, target)) continue;
    json call = json::object();
    call["names"] = rule.contains("name") ? json::array({rule["name"]}) : rule.value("names", json::array());
    call["action"] = rule.value("action", "");
    for (const char* key : {"errnoRet", "args"})
      if (rule.contains(key)) call[key] = rule[key];
    out["syscalls"].push_back(std::move(call));
  }
  return out;
}

const json& docker_default_seccomp_profile() {
  static const json profile = json::parse(kDockerDefaultSeccompProfile);
  return profile;
}

SeccompTarget this_machine(std::vector<std::string> capabilities) {
  SeccompTarget target{.architecture = {}, .capabilities = std::move(capabilities)};
  if (const auto identity = read_elf_identity(std::filesystem::path("/proc/self/exe")))
    target.architecture = identity->architecture;
  utsname name{};
  if (::uname(&name) == 0) std::sscanf(name.release, "%d.%d", &target.kernel_major, &target.kernel_minor);
  return target;
}

}  // namespace kiln::verify
