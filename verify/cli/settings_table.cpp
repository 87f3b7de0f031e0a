#include "verify/cli/settings_table.h"

#include <sstream>

#include "core/byte_quantity.h"
#include "verify/driver/local/local_driver.h"

namespace kiln::verify {

const SettingsTable& verify_setting_specs() {
  static const SettingsTable table = with_setting_types({
      // What to verify. IMAGE_REF is what kiln-plugin leaves in GitLab's dotenv report and in
      // $DRONE_OUTPUT, so a verify job after a build job needs no setting at all.
      {"image", {}, "", "Image to verify: registry/repo[:tag][@digest]", false, "", {"IMAGE_REF"}},
      {"digest_file", {}, "", "A digest file written by kiln-plugin (digest_file): verify image pinned to that digest"},
      {"image_file", {"image_name_with_digest_file"}, "", "A file of repo@digest lines (kiln-plugin's image_name_with_digest_file): verify the first"},
      {"dotenv_file", {}, "", "A dotenv report written by kiln-plugin (dotenv_file): verify its IMAGE_REF"},
      {"oci_layout", {}, "", "Read the image from this OCI image layout directory instead of a registry"},
      {"image_from_oci_layout", {}, "",
       "CST's --image-from-oci-layout: an OCI layout holding exactly one single-platform image, named by its "
       "org.opencontainers.image.ref.name annotation or by default_image_tag (required without one, as in CST)"},
      {"default_image_tag", {}, "", "CST's --default-image-tag: the name of an image_from_oci_layout image without a ref name annotation"},
      {"ignore_ref_annotation", {}, "false", "CST's --ignore-ref-annotation: name an image_from_oci_layout image by default_image_tag even when it is annotated"},
      {"platform", {"platforms"}, "", "Platforms of a multi-platform image to verify, os/arch[/variant] list (default: every one; CST's default is this machine's)"},
      {"pull", {}, "false", "CST's --pull: has nothing to force, kiln-verify reads the image from its registry (or file) on every run"},
      // What to check.
      {"config", {"spec", "configs"}, "", "Test spec files (container-structure-test schema 2.0.0 or 1.0.0, YAML or JSON): a comma list, or --config (-c) once per file"},
      {"host_run_options", {}, "true",
       "Honour the containerRunOptions that reach this machine: envVars (its environment), envFile, bindMounts, "
       "privileged; false refuses specs that use them (kiln-server sets false)"},
      {"app_suite", {}, "auto", "Run the built-in application suite: true, false, or auto (when no config is given)"},
      {"app_path", {}, "/usr/local/app/main", "The application binary the built-in suite checks"},
      {"binary", {}, "", "Local file the application binary must equal (SHA-256)"},
      {"version_args", {}, "", "Arguments for a run of the application that must exit 0, e.g. --version (needs driver local or kubernetes)"},
      {"driver", {}, "static", "How the image is seen: static (reads its layers), local (runs kiln-probe in it with runc), kubernetes (a check pod); CST's docker is local, its tar is static"},
      // Reports.
      {"junit", {"junit_file"}, "kiln-verify.xml", "JUnit XML report, written in every case"},
      {"json", {"json_file"}, "", "JSON report"},
      {"output", {}, "text", "Report printed on stdout: text, json or junit (CST's --output, -o)"},
      {"test_report", {}, "", "CST's --test-report: a report file in the output format, JUnit when output is text (CST writes JSON then)"},
      {"junit_suite_name", {}, "", "CST's --junit-suite-name: the JUnit testsuite name (default: each spec file's stem)"},
      {"quiet", {}, "false", "CST's --quiet, -q: print no report on stdout (the report files are still written)"},
      {"no_color", {}, "false", "CST's --no-color: kiln-verify's output has no colour in any case"},
      {"log_level", {}, "info", "debug, info, warn or error"},
      // Registry access, as kiln-plugin.
      {"registry", {}, "", "Registry host[:port] of the username/password login (default: the image's)", false, "", {"DOCKER_REGISTRY"}},
      {"username", {}, "", "Registry user name", false, "", {"DOCKER_USERNAME"}},
      {"password", {}, "", "Registry password or token", true, "", {"DOCKER_PASSWORD"}},
      {"docker_config_json", {"docker_config"}, "", "A docker config.json document with credentials", true, "", {"DOCKER_AUTH_CONFIG"}},
      {"insecure", {}, "false", "Use plain HTTP for the registry (local or test registries only)"},
      {"registry_certificate", {"ca_cert"}, "", "PEM CA bundle to trust for registry TLS"},
      {"registry_timeout", {}, "2m", "Deadline of each registry request, a Go duration (30s, 5m): the whole answer must arrive within it, a layer download may take one second more per 16 KiB read; expiry is exit 3, not retried"},
      // The local driver.
      {"probe", {}, "", "Path of kiln-probe for the local driver (default: next to kiln-verify)"},
      {"runtime", {}, "runc", "OCI runtime the local driver runs kiln-probe with"},
      {"unpack_max_bytes", {}, format_byte_quantity(kUnpackMaxBytes),
       "Local driver: most file data the image's layers may unpack to disk, all layers together, as 512Mi, 2Gi or bytes; "
       "a layer that would pass it is refused (exit 3)"},
      {"unpack_max_entries", {}, std::to_string(UnpackLimits{}.max_entries),
       "Local driver: most tar entries the image's layers may hold, all layers together (the static driver's limit); "
       "a layer that would pass it is refused (exit 3)"},
      {"memory_limit", {}, format_byte_quantity(kProbeMemoryBytes),
       "Memory of the container kiln-probe and the command tests run in (local: its cgroup; kubernetes: the check "
       "pod's limit), as 512Mi or bytes; 0: no limit. A command that passes it is killed and reported as out of memory"},
      {"pids_limit", {}, std::to_string(kProbePids),
       "Local driver: processes and threads kiln-probe's container may hold at once (a fork bomb stops there); 0: no limit"},
      // The kubernetes driver.
      {"kubeconfig", {}, "", "kubeconfig file (default: in-cluster service account, else $KUBECONFIG)", false, "", {"KUBECONFIG"}},
      {"kube_context", {}, "", "kubeconfig context (default: current-context)"},
      {"namespace", {}, "", "Namespace of the check pod (default: the context's, or the service account's)"},
      {"verify_image", {"probe_image"}, "", "Image holding kiln-probe at /kiln-probe (the kiln verify image), ideally by digest"},
      {"image_pull_secrets", {}, "", "Secrets the check pod pulls with, comma list"},
      {"pod_timeout", {}, "5m", "Deadline of the check pod (activeDeadlineSeconds), Go duration"},
      {"print_pod", {}, "false", "Print the check pod manifest the kubernetes driver would create, and exit"},
  }, {
      // How kiln-verify reads them (tests/server/setting_types_test.cpp checks it against the code).
      // app_suite is text: true, false or auto.
      {"host_run_options", SettingType::boolean}, {"ignore_ref_annotation", SettingType::boolean},
      {"insecure", SettingType::boolean}, {"print_pod", SettingType::boolean}, {"pull", SettingType::boolean},
      {"quiet", SettingType::boolean},
      {"config", SettingType::list}, {"image_pull_secrets", SettingType::list}, {"platform", SettingType::list},
      {"version_args", SettingType::list, " \t"},
  });
  return table;
}

std::string verify_help_text() {
  std::ostringstream out;
  out << "kiln-verify: check a pushed image (above all its application binary) and write JUnit XML.\n\n"
         "Settings come from --name value flags, PLUGIN_<NAME> variables (Drone and Woodpecker\n"
         "`settings:`) or KILN_<NAME> variables (GitLab job `variables:`), in that order of precedence.\n"
         "Credentials: the settings below, then DOCKER_CONFIG/~/.docker/config.json; on GitLab the\n"
         "CI_REGISTRY login.\n\nSettings:\n"
      << settings_list_text(verify_setting_specs())
      << "\nExit codes: 0 every test passed, 1 a test failed, 2 bad settings or spec, 3 registry, runtime\n"
         "or cluster failure. The JUnit report is written in every case.\n";
  return out.str();
}

std::string verify_settings_reference_markdown() {
  return "Generated from kiln-verify's settings table (`kiln-verify --settings-reference`); do not edit by\n"
         "hand, run `ci/update-readme.sh`. Settings are given as for kiln-plugin: `--<name>`,\n"
         "`PLUGIN_<NAME>`, `KILN_<NAME>`, the plain variables of the last column, then the default.\n\n" +
         settings_markdown_table(verify_setting_specs());
}

}  // namespace kiln::verify
