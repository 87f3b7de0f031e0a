#include "oci/reference.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::oci {

TEST(Reference, NormalisesDockerHubNames) {
  struct Row { const char* in; const char* registry; const char* repo; const char* tag; const char* full; };
  for (const Row& r : {
           Row{"alpine", "docker.io", "library/alpine", "latest", "docker.io/library/alpine:latest"},
           Row{"alpine:3.19", "docker.io", "library/alpine", "3.19", "docker.io/library/alpine:3.19"},
           Row{"team/app", "docker.io", "team/app", "latest", "docker.io/team/app:latest"},
           Row{"index.docker.io/team/app:v1", "docker.io", "team/app", "v1", "docker.io/team/app:v1"},
           Row{"docker.io/alpine", "docker.io", "library/alpine", "latest", "docker.io/library/alpine:latest"},
           Row{"localhost/app", "localhost", "app", "latest", "localhost/app:latest"},
           Row{"127.0.0.1:5000/a/b/c:t", "127.0.0.1:5000", "a/b/c", "t", "127.0.0.1:5000/a/b/c:t"},
           Row{"ghcr.io/o/r:1.0-rc_1", "ghcr.io", "o/r", "1.0-rc_1", "ghcr.io/o/r:1.0-rc_1"},
       }) {
    Reference ref = Reference::parse(r.in);
    EXPECT_EQ(ref.registry(), r.registry) << r.in;
    EXPECT_EQ(ref.repository(), r.repo) << r.in;
    EXPECT_EQ(ref.tag(), r.tag) << r.in;
    EXPECT_EQ(ref.to_string(), r.full) << r.in;
    EXPECT_EQ(Reference::parse(ref.to_string()), ref) << r.in;
  }
}

TEST(Reference, KeepsDigestAndUsesItAsIdentifier) {
  const std::string hex(64, 'a');
  Reference by_digest = Reference::parse("r.example:443/x@sha256:" + hex);
  EXPECT_EQ(by_digest.tag(), "");
  EXPECT_EQ(by_digest.identifier(), "sha256:" + hex);
  Reference both = Reference::parse("x:1@sha256:" + hex);
  EXPECT_EQ(both.tag(), "1");
  EXPECT_EQ(both.identifier(), "sha256:" + hex);
  EXPECT_EQ(both.to_string(), "docker.io/library/x:1@sha256:" + hex);
}

TEST(Reference, RejectsInvalidWithAMessageThatSaysWhy) {
  struct Row { const char* in; const char* message; };
  for (const Row& r : {
           Row{"", "invalid image reference '': it is empty"},
           Row{"Team/App", "invalid image reference 'Team/App': invalid repository 'Team/App': component 'Team' must be lowercase"},
           Row{"app:bad/tag", "invalid image reference 'app:bad/tag': 'app:bad' is not a valid registry host[:port]"},
           Row{"app:-x", "invalid tag '-x': a tag may contain only letters, digits, '_', '.' and '-', and cannot start with '.' or '-'"},
           Row{"app:a+b", "invalid tag 'a+b': a tag may contain only letters, digits, '_', '.' and '-', and cannot start with '.' or '-'"},
           Row{"a//b", "invalid image reference 'a//b': invalid repository 'a//b': component '' may contain only lowercase letters, digits and single '.', '_', '__' or '-' separators between them"},
           Row{"app@sha256:abc", "invalid digest 'sha256:abc': sha256 needs 64 hex digits, got 3"},
           Row{"app@md5:00", "unsupported digest algorithm 'md5' in 'md5:00': only sha256 is supported"},
           Row{"my app", "invalid image reference 'my app': it contains white space"},
       }) {
    try {
      Reference::parse(r.in);
      ADD_FAILURE() << "accepted " << r.in;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      EXPECT_EQ(std::string(e.what()), r.message) << r.in;
    }
  }
}

TEST(Reference, TagLengthLimit) {
  EXPECT_NO_THROW(validate_tag(std::string(128, 'a')));
  EXPECT_THROW(validate_tag(std::string(129, 'a')), Error);
}

TEST(Reference, DockerHubIsServedByRegistry1) {
  EXPECT_EQ(registry_api_host("docker.io"), "registry-1.docker.io");
  EXPECT_EQ(registry_api_host("127.0.0.1:5000"), "127.0.0.1:5000");
}

}  // namespace kiln::oci
