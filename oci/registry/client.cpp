#include "oci/registry/client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include "core/log.h"
#include "core/stop.h"
#include "oci/reference.h"
#include "oci/registry/auth_basic.h"
#include "oci/registry/auth_bearer.h"
#include "oci/registry/challenge.h"
#include "oci/registry/client_impl.h"

namespace kiln::oci {
namespace {

void register_secrets(const Credential& c) {
  for (const auto* s : {&c.password, &c.identity_token, &c.registry_token})
    if (!s->empty()) log::add_secret(*s);
}

// A retry's backoff that a stop cuts short; the next attempt then meets the stop in send().
Retrier::Sleep stoppable_sleep(std::stop_token stop) {
  if (!stop.stop_possible()) return {};
  return [stop = std::move(stop)](std::chrono::milliseconds delay) {
    std::mutex mutex;
    std::condition_variable_any woken;
    std::unique_lock lock(mutex);
    woken.wait_for(lock, stop, delay, [] { return false; });
  };
}

}  // namespace

std::string display_ref(const std::string& repository, const std::string& identifier) {
  return repository + (identifier.starts_with("sha256:") ? "@" : ":") + identifier;
}

RegistryClient::Impl::Impl(std::string registry_, std::shared_ptr<const Keychain> keychain, RegistryOptions options_)
    : registry(std::move(registry_)),
      base_url((options_.insecure ? "http://" : "https://") + registry_api_host(registry)),
      credential(keychain ? keychain->resolve(registry) : Credential{}),
      options(options_),
      session(SessionOptions{.ca_file = options.ca_file, .timeout = options.timeout, .min_blob_rate = options.min_blob_rate}),
      auth(session, url_origin(base_url + "/v2/")),
      retrier(Backoff{.max_attempts = std::max(1, options.max_attempts),
                      .initial = options.initial_backoff,
                      .max = options.max_backoff},
              stoppable_sleep(options.stop)) {
  register_secrets(credential);
}

void RegistryClient::Impl::ensure_pinged() {
  if (pinged) return;
  const std::string op = "ping";
  HttpRequest request = HttpRequest::to("GET", url("/v2/"));
  HttpResponse response;
  try {
    response = session.send(request);
  } catch (const RegistryError& e) {
    throw e.with_prefix(fmt::format("{}: {}", registry, op));
  }
  if (response.status == 401) {
    auto challenge = pick_challenge(response.header("www-authenticate").value_or(""));
    if (!challenge)
      fail_plain(op, "401 without a Basic or Bearer WWW-Authenticate challenge");
    if (challenge->scheme == "bearer")
      auth.set_authenticator(
          std::make_unique<BearerAuthenticator>(registry, *challenge, credential, session, options.insecure));
    else if (!credential.username.empty() || !credential.password.empty())
      auth.set_authenticator(std::make_unique<BasicAuthenticator>(credential));
    // Basic without a credential: requests go out anonymous and fail with a clear 401.
  } else if (!response.ok()) {
    fail(op, response);
  }
  spdlog::debug("{}: API v2 answered {} ({})", registry, response.status,
                response.header("www-authenticate").value_or("no challenge"));
  pinged = true;
}

HttpResponse RegistryClient::Impl::send(const std::string& op, const HttpRequest& request, Stoppable stoppable) {
  if (stoppable == Stoppable::yes) stop_point(options.stop, fmt::format("{}: {}", registry, op));
  ensure_pinged();
  try {
    return auth.send(request);
  } catch (const RegistryError& e) {
    throw e.with_prefix(fmt::format("{}: {}", registry, op));
  }
}

void RegistryClient::Impl::fail(const std::string& op, const HttpResponse& response) const {
  const RegistryErrorBody body = parse_error_body(response.body);
  std::string detail = body.summary;
  if (detail.empty()) detail = response.reason;
  std::string message = fmt::format("{}: {}: {} {}", registry, op, response.status, detail);
  // Credentials were sent and refused: say so plainly, since that is what the user must fix.
  if (response.status == 401 && auth.has_authenticator() && !credential.empty()) {
    // A 401 that outlives a fresh token: the issuer accepted the credential, the registry not
    // its tokens (clocks apart, issuer and registry configured for different keys or services).
    if (const std::string source = auth.token_source(); !source.empty())
      message = fmt::format("authentication failed for {}: the registry refused a token just issued by {} ({}: 401 {})",
                            registry, source, op, detail);
    else
      message = fmt::format("authentication failed for {}: check username/password ({}: 401 {})", registry, op,
                            detail);
  }
  RegistryError error(response.status, body.codes, false, message);
  if (auto value = response.header("retry-after")) error.set_retry_after(parse_retry_after(*value));
  throw error;
}

void RegistryClient::Impl::expect(const std::string& op, const HttpResponse& response,
                                  std::initializer_list<int> expected) const {
  for (int status : expected)
    if (response.status == status) return;
  fail(op, response);
}

void RegistryClient::Impl::fail_plain(const std::string& op, const std::string& what) const {
  throw RegistryError(0, {}, false, fmt::format("{}: {}: {}", registry, op, what));
}

RegistryClient::RegistryClient(std::string registry, std::shared_ptr<const Keychain> keychain, RegistryOptions options)
    : impl_(std::make_unique<Impl>(std::move(registry), std::move(keychain), options)) {}

RegistryClient::~RegistryClient() = default;

const std::string& RegistryClient::registry() const { return impl_->registry; }

void RegistryClient::ping() {
  impl_->retrier.run("ping", [&] {
    impl_->ensure_pinged();
    // With a credential, prove it works now rather than at the first push.
    if (!impl_->auth.has_authenticator()) return;
    HttpResponse response = impl_->send("ping", HttpRequest::to("GET", impl_->url("/v2/")));
    if (!response.ok()) impl_->fail("ping", response);
  });
}

}  // namespace kiln::oci
