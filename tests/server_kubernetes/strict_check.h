#pragma once
// tests/support/strict_manifest_check.py on a document or a file: the official Python client's
// models (python3-kubernetes), failing on any field they do not know.
#include <fstream>
#include <string>

#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/json.h"

namespace kiln::server::testing {

inline ProcessResult strict_check_file(const std::string& file) {
  return run_process({"/usr/bin/python3", KILN_SOURCE_DIR "/tests/support/strict_manifest_check.py", file});
}

inline ProcessResult strict_check(const oci::Json& doc) {
  TempDir dir("kiln-manifest");
  const auto file = dir.path() / "doc.json";
  std::ofstream(file) << doc.dump(2);
  return strict_check_file(file.string());
}

}  // namespace kiln::server::testing
