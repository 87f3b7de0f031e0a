#pragma once
// The authentication layer of the transport stack: attaches the registry's credential to
// requests for the registry's own origin only, and on a 401 lets the authenticator react
// (Bearer: widen scopes, fetch a new token) before re-sending the request exactly once.
#include <memory>
#include <string>
#include <vector>

#include "oci/registry/challenge.h"
#include "oci/registry/http.h"

namespace kiln::oci {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// The Authorization value for a request that needs `scopes`; empty sends none.
  virtual std::string authorization(const std::vector<std::string>& scopes) = 0;
  /// Called on a 401 carrying `challenge`; true when a re-send with `scopes` (which it may
  /// widen) and a fresh authorization() can succeed.
  virtual bool refresh(const Challenge& challenge, std::vector<std::string>& scopes) = 0;
  /// Where tokens come from, for messages ("http://auth.example/token"); empty when the
  /// credential itself is sent.
  virtual std::string token_source() const { return {}; }
};

class AuthTransport final : public Transport {
 public:
  /// `origin` as url_origin() gives it: "https://r.example:443".
  AuthTransport(Transport& inner, std::string origin);
  void set_authenticator(std::unique_ptr<Authenticator> authenticator);
  bool has_authenticator() const { return authenticator_ != nullptr; }
  /// The authenticator's token_source(); empty without one.
  std::string token_source() const { return authenticator_ ? authenticator_->token_source() : std::string(); }
  HttpResponse send(const HttpRequest& request) override;
  /// The Authorization value send() would attach to `request` first (empty: none), for a
  /// request that has to travel on another connection (a streamed upload).
  std::string authorization_for(const HttpRequest& request);

 private:
  Transport& inner_;
  std::string origin_;
  std::unique_ptr<Authenticator> authenticator_;
};

}  // namespace kiln::oci
