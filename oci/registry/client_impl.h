#pragma once
// Private to the client's .cpp files: the state behind RegistryClient and the helpers every
// operation shares (send through the stack, turn a bad answer into a RegistryError).
#include <initializer_list>
#include <memory>
#include <string>

#include "oci/credentials/credential.h"
#include "oci/registry/auth.h"
#include "oci/registry/client.h"
#include "oci/registry/error.h"
#include "oci/registry/http.h"
#include "oci/registry/retry.h"
#include "oci/registry/session_transport.h"

namespace kiln::oci {

struct RegistryClient::Impl {
  Impl(std::string registry, std::shared_ptr<const Keychain> keychain, RegistryOptions options);

  /// "https://host:port" (or http when insecure) of the API endpoint.
  std::string url(const std::string& path) const { return base_url + path; }
  /// Discovers the auth scheme from GET /v2/ the first time it is needed.
  void ensure_pinged();
  /// Whether a requested stop (RegistryOptions::stop) keeps a request from going out.
  enum class Stoppable { yes, no };
  /// Sends through auth and session layers; network failures get "<registry>: <op>: " in front.
  /// Throws StopRequested instead of sending when a stop was requested (Stoppable::yes).
  HttpResponse send(const std::string& op, const HttpRequest& request, Stoppable stoppable = Stoppable::yes);
  /// Throws the error a non-success answer means, naming registry and operation.
  [[noreturn]] void fail(const std::string& op, const HttpResponse& response) const;
  /// fail() unless the status is one of `expected`.
  void expect(const std::string& op, const HttpResponse& response, std::initializer_list<int> expected) const;
  [[noreturn]] void fail_plain(const std::string& op, const std::string& what) const;

  std::string registry;
  std::string base_url;
  Credential credential;
  RegistryOptions options;
  SessionTransport session;
  AuthTransport auth;
  Retrier retrier;
  bool pinged = false;
};

/// "team/app:v1" or "team/app@sha256:..." for messages.
std::string display_ref(const std::string& repository, const std::string& identifier);

}  // namespace kiln::oci
