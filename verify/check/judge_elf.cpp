// elfTests: the binary is ELF for the image's machine, and the image has what loading it needs.
#include <set>

#include "verify/check/judges.h"
#include "verify/spec/file_mode.h"

namespace kiln::verify {
namespace {

// The ELF class each OCI architecture needs; 0 when kiln does not know it.
int bits_for(const std::string& architecture) {
  static const std::set<std::string> bits64{"amd64", "arm64", "ppc64", "ppc64le", "s390x",
                                            "riscv64", "mips64", "mips64le", "loong64"};
  static const std::set<std::string> bits32{"386", "arm", "mips", "mipsle", "riscv32", "s390"};
  if (bits64.count(architecture)) return 64;
  if (bits32.count(architecture)) return 32;
  return 0;
}

std::string colon_joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ":") + item;
  return out;
}

}  // namespace

TestResult judge_elf(const ElfTest& test, const inspect::PathFacts* facts, const std::string& image_architecture) {
  if (!facts) return error_result("the driver gave no facts about " + test.path);
  Findings findings;
  if (!facts->exists) {
    if (!facts->error.empty()) return error_result(test.path + ": " + facts->error);
    findings.add("expected an ELF file at " + test.path + ", not found");
    return findings.result();
  }
  if (facts->not_elf) {
    findings.add("expected an ELF file at " + test.path + ", found a file that is not ELF");
    return findings.result();
  }
  if (!facts->elf) {
    if (facts->stat.type == inspect::FileStat::Type::directory) {
      findings.add("expected an ELF file at " + test.path + ", found a directory");
      return findings.result();
    }
    return error_result(test.path + ": ELF header not read" + (facts->error.empty() ? "" : ": " + facts->error));
  }
  const inspect::ElfFacts& elf = *facts->elf;
  const std::string expected = test.architecture.empty() ? image_architecture : test.architecture;
  if (expected.empty()) return error_result("the image config names no architecture to compare " + test.path + " with");
  if (expected != "any") {
    const std::string found = elf.architecture.empty() ? "unknown" : elf.architecture;
    if (found != expected) {
      findings.add("architecture: expected " + expected + ", found " + found + " (ELF machine " +
                   std::to_string(elf.machine) + ", " + std::to_string(elf.bits) + "-bit)");
    } else if (const int bits = bits_for(expected); bits != 0 && bits != elf.bits) {
      findings.add("ELF class: expected " + std::to_string(bits) + "-bit for " + expected + ", found " +
                   std::to_string(elf.bits) + "-bit");
    }
  }
  if (test.loadable) {
    if (!elf.interpreter.empty() && !elf.interpreter_found) {
      findings.add("interpreter " + elf.interpreter + " not found in the image");
    }
    std::vector<std::string> missing;
    for (const inspect::LibraryResolution& library : elf.libraries) {
      if (library.resolved.empty()) missing.push_back(library.name);
    }
    if (!missing.empty()) {
      std::string finding = "libraries not found in the image: ";
      for (std::size_t i = 0; i < missing.size(); ++i) finding += (i ? ", " : "") + missing[i];
      if (!elf.rpath.empty()) finding += " (RPATH " + colon_joined(elf.rpath) + ")";
      if (!elf.runpath.empty()) finding += " (RUNPATH " + colon_joined(elf.runpath) + ")";
      findings.add(finding);
    }
  }
  return findings.result();
}

}  // namespace kiln::verify
