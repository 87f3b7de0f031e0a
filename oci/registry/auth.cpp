#include "oci/registry/auth.h"

#include <spdlog/spdlog.h>

namespace kiln::oci {

AuthTransport::AuthTransport(Transport& inner, std::string origin) : inner_(inner), origin_(std::move(origin)) {}

void AuthTransport::set_authenticator(std::unique_ptr<Authenticator> authenticator) {
  authenticator_ = std::move(authenticator);
}

std::string AuthTransport::authorization_for(const HttpRequest& request) {
  if (!authenticator_ || url_origin(request.url) != origin_) return {};
  return authenticator_->authorization(request.scopes);
}

HttpResponse AuthTransport::send(const HttpRequest& original) {
  // An upload Location may name another host; the credential stays with the registry.
  if (!authenticator_ || url_origin(original.url) != origin_) return inner_.send(original);
  HttpRequest request = original;
  if (auto value = authenticator_->authorization(request.scopes); !value.empty())
    request.set_header("Authorization", value);
  HttpResponse response = inner_.send(request);
  if (response.status != 401) return response;
  auto challenge = pick_challenge(response.header("www-authenticate").value_or(""));
  if (!challenge || !authenticator_->refresh(*challenge, request.scopes)) return response;
  spdlog::debug("401 with {} challenge (error={}): re-authenticating once", challenge->scheme,
                challenge->param("error"));
  if (auto value = authenticator_->authorization(request.scopes); !value.empty())
    request.set_header("Authorization", value);
  return inner_.send(request);
}

}  // namespace kiln::oci
