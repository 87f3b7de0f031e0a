#pragma once
// What a build leaves for the steps after it. kiln writes every output file itself, after the
// push succeeded and whichever backend built the image (the Kaniko executor is never asked for
// its own copies: it writes them before pushing). Each file is written atomically (temp file +
// rename), so a later step never reads a half-written one. None holds anything but image
// references and digests: no credential can reach them.
#include <string>
#include <vector>

#include "core/env.h"
#include "plugin/backend/backend.h"
#include "plugin/settings.h"

namespace kiln::plugin {

struct BuildPlan;

/// Where the outputs go; empty: not written.
struct OutputFiles {
  std::string digest_file;
  std::string image_name_with_digest_file;
  std::string image_name_tag_with_digest_file;
  std::string artifact_file;
  std::string dotenv_file;   ///< GitLab `artifacts: reports: dotenv`
  std::string drone_output;  ///< $DRONE_OUTPUT, appended to
  std::string registry_type; ///< registryType of the artifact file; empty: guessed from the registry
  friend bool operator==(const OutputFiles&, const OutputFiles&) = default;
};

/// The files the settings and $DRONE_OUTPUT name. Throws a usage error naming registry_type
/// when it is not one of Docker, ECR, GCR, GAR, ACR.
OutputFiles output_files(const Settings& settings, const Env& env);

/// "sha256:..." with no newline, as kaniko's --digest-file.
std::string digest_file_text(const BuildResult& result);
/// "<registry>/<repository>@<digest>\n" per pushed reference, as kaniko's
/// --image-name-with-digest-file (Docker Hub as index.docker.io).
std::string image_name_with_digest_text(const BuildResult& result);
/// "<registry>/<repository>:<tag>@<digest>\n" per pushed reference.
std::string image_name_tag_with_digest_text(const BuildResult& result);
/// The docker/v1 artifact JSON of drone-kaniko and plugins/docker:
/// {"kind":"docker/v1","data":{"registryType","registryUrl","images":[{"image","digest"}]}}, one line.
/// `registry_type` (the setting) replaces the type guessed from the registry when not empty.
std::string artifact_file_text(const BuildResult& result, const std::string& registry_type = "");
/// Lines for $DRONE_OUTPUT: digest= (drone-kaniko's name), IMAGE_DIGEST=, IMAGE_REF=.
std::string drone_output_text(const BuildResult& result);
/// The GitLab dotenv report: IMAGE_DIGEST, IMAGE_REF (first tag by digest), IMAGE_TAGS (comma list).
std::string dotenv_file_text(const BuildResult& result);

/// Writes one output file atomically (core/atomic_file.h); errors name `setting`.
void write_output(const std::string& path, const std::string& text, const std::string& setting);

/// Writes every output named in `files` (DRONE_OUTPUT is appended to, keeping what is there).
void write_outputs(const OutputFiles& files, const BuildResult& result);

}  // namespace kiln::plugin
