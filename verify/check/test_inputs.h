#pragma once
// What one test asks of the image, computed the same way when the request is built and when
// the answers are judged, so a test always finds its own facts.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "inspect/facts.h"
#include "oci/image/platform.h"
#include "oci/json.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// Why a test is not run here: its `skip` reason, or a `platforms` list without `platform`.
std::optional<std::string> skip_reason(const TestFilter& filter, const oci::Platform& platform);

/// The id of command test `test_index` of spec `spec_index` ("s0.c2"); unique in a request.
std::string command_id(std::size_t spec_index, std::size_t test_index);

/// The path a file existence test looks at: `path` with `$VAR` expanded against the image env.
std::string existence_path(const FileExistenceTest& test, const oci::Json& image_config);

/// The command a test runs: expanded argv, the image env with globalEnvVars, the spec's
/// containerRunOptions variables (run_env) and the test's envVars, the image's WorkingDir and the
/// test's timeout.
inspect::CommandQuery command_query(const CommandTest& test, const Spec& spec, const oci::Json& image_config,
                                    std::string id);

/// Setup command `index` of a test ("s0.c2.setup0") and teardown command `index` ("….teardown0"):
/// run as written (CST expands neither), with the test's environment, workdir and timeout.
std::string setup_id(const std::string& test_id, std::size_t index);
std::string teardown_id(const std::string& test_id, std::size_t index);
std::vector<inspect::CommandQuery> setup_queries(const CommandTest& test, const inspect::CommandQuery& command);
std::vector<inspect::CommandQuery> teardown_queries(const CommandTest& test, const inspect::CommandQuery& command);

/// Where dpkg keeps each package's copyright file: /usr/share/doc/<package>/copyright.
inline constexpr const char* kDebianDocRoot = "/usr/share/doc";

/// The copyright files a `debian: true` license test reads: one per subdirectory of
/// kDebianDocRoot in `facts` but libgnutls30, which CST lets pass whatever its license says.
std::vector<std::string> debian_copyright_files(const inspect::Facts& facts);

/// The architecture ELF tests expect by default: the platform's, else the config's.
std::string image_architecture(const oci::Json& image_config, const oci::Platform& platform);

}  // namespace kiln::verify
