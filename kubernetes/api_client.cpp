#include "kubernetes/api_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <istream>

#include "core/log.h"
#include "kubernetes/tls_context.h"

namespace kiln::kubernetes {
namespace {

constexpr std::chrono::seconds request_timeout{30};
// Seconds a watch may stay silent past its own timeoutSeconds before we call it dead.
constexpr std::chrono::seconds watch_grace{10};

std::string encode(const std::string& value) {
  std::string out;
  Poco::URI::encode(value, "=&?/+,:#", out);
  return out;
}

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "::1" || host == "localhost"; }

struct Reply {
  int status = 0;
  std::string reason;
  std::string body;
};

// The API's own explanation: a Status object's message, or the start of whatever came back.
std::string status_message(const std::string& body) {
  try {
    const auto doc = oci::Json::parse(body);
    if (doc.is_object() && doc.contains("message") && doc["message"].is_string())
      return doc["message"].get<std::string>();
  } catch (const oci::Json::exception&) {
  }
  return body.substr(0, 300);
}

oci::Json parse_reply(const std::string& body, const std::string& what) {
  try {
    return oci::Json::parse(body);
  } catch (const oci::Json::exception& e) {
    throw ApiError(200, fmt::format("Kubernetes API: {} answered with something that is not JSON ({})", what, e.what()));
  }
}

}  // namespace

struct ApiClient::Connection {
  const ClusterConfig* config = nullptr;
  bool tls = false;
  std::string host;
  unsigned short port = 0;
  std::string base_path;  // a server URL may carry a prefix (proxies such as Rancher's)
  std::string display;    // scheme://host:port, for messages
  Poco::Net::Context::Ptr context;

  std::unique_ptr<Poco::Net::HTTPClientSession> open(std::chrono::seconds timeout) const {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (tls)
      session = std::make_unique<Poco::Net::HTTPSClientSession>(host, port, context);
    else
      session = std::make_unique<Poco::Net::HTTPClientSession>(host, port);
    session->setTimeout(Poco::Timespan(static_cast<long>(timeout.count()), 0));
    return session;
  }

  Poco::Net::HTTPRequest request(const std::string& method, const std::string& path) const {
    Poco::Net::HTTPRequest request(method, base_path + path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Accept", "application/json");
    request.set("User-Agent", "kiln");  // kiln-verify's check pods and kiln-server's build pods alike
    if (!config->token.empty()) request.set("Authorization", "Bearer " + config->token);
    return request;
  }

  // What we tried, where, and what the API (or the network) answered; the token is redacted
  // even from text the server echoed back.
  [[noreturn]] void fail(int status, const std::string& action, const std::string& method, const std::string& path,
                         const std::string& detail) const {
    throw ApiError(status, log::redact(fmt::format("Kubernetes API: cannot {} ({} {}{}{}): {}", action, method, display,
                                                   base_path, path, detail)));
  }

  [[noreturn]] void fail_status(const Reply& reply, const std::string& action, const std::string& method,
                                const std::string& path) const {
    fail(reply.status, action, method, path, fmt::format("{} {}: {}", reply.status, reply.reason, status_message(reply.body)));
  }

  /// One request, whole reply; network failures become ApiError(0).
  Reply send(const std::string& method, const std::string& path, const std::string& body,
             const std::string& action) const {
    try {
      auto session = open(request_timeout);
      auto req = request(method, path);
      if (!body.empty()) {
        req.setContentType("application/json");
        req.setContentLength(static_cast<std::streamsize>(body.size()));
      }
      session->sendRequest(req) << body;
      Poco::Net::HTTPResponse response;
      std::istream& in = session->receiveResponse(response);
      Reply reply{.status = static_cast<int>(response.getStatus()), .reason = response.getReason(), .body = {}};
      Poco::StreamCopier::copyToString(in, reply.body);
      spdlog::debug("kubernetes: {} {}{} -> {}", method, base_path, path, reply.status);
      return reply;
    } catch (const Poco::Exception& e) {
      fail(0, action, method, path, fmt::format("connection failed: {}", e.displayText()));
    }
  }

  std::string secrets_path() const {
    return fmt::format("/api/v1/namespaces/{}/secrets", encode(config->namespace_name));
  }
  std::string pods_path() const { return fmt::format("/api/v1/namespaces/{}/pods", encode(config->namespace_name)); }
  std::string in_namespace() const { return fmt::format("in namespace '{}'", config->namespace_name); }
};

ApiClient::ApiClient(ClusterConfig config) : config_(std::move(config)), connection_(std::make_unique<Connection>()) {
  log::add_secret(config_.token);
  log::add_secret(config_.client_key_pem);
  const Poco::URI uri(config_.server);
  Connection& c = *connection_;
  c.config = &config_;
  c.host = uri.getHost();
  c.port = uri.getPort();
  c.base_path = uri.getPath();
  while (!c.base_path.empty() && c.base_path.back() == '/') c.base_path.pop_back();
  if (uri.getScheme() == "https") {
    c.tls = true;
    c.context = make_cluster_tls_context(config_, c.host);
  } else if (uri.getScheme() == "http" && is_loopback(c.host)) {
    c.tls = false;  // only a stand-in API server on this machine (the tests')
  } else {
    throw_usage(fmt::format("{}: server '{}' must be https:// (plain http only on 127.0.0.1)", config_.source,
                            config_.server));
  }
  c.display = fmt::format("{}://{}:{}", uri.getScheme(), c.host, c.port);
}

ApiClient::~ApiClient() = default;

oci::Json ApiClient::create_pod(const oci::Json& pod) {
  const std::string action = fmt::format("create pods {}", connection_->in_namespace());
  const Reply reply = connection_->send("POST", connection_->pods_path(), pod.dump(), action);
  if (reply.status != 201 && reply.status != 200) connection_->fail_status(reply, action, "POST", connection_->pods_path());
  return parse_reply(reply.body, "create pod");
}

oci::Json ApiClient::get_pod(const std::string& name) {
  const std::string path = connection_->pods_path() + "/" + encode(name);
  const std::string action = fmt::format("get pod '{}' {}", name, connection_->in_namespace());
  const Reply reply = connection_->send("GET", path, "", action);
  if (reply.status != 200) connection_->fail_status(reply, action, "GET", path);
  return parse_reply(reply.body, "get pod");
}

WatchEnd ApiClient::watch_pod(const std::string& name, const std::string& resource_version,
                              std::chrono::seconds timeout,
                              const std::function<WatchNext(const std::string&, const oci::Json&)>& on_event) {
  const Connection& c = *connection_;
  const std::string path =
      fmt::format("{}?watch=1&fieldSelector={}&resourceVersion={}&timeoutSeconds={}", c.pods_path(),
                  encode("metadata.name=" + name), encode(resource_version), std::max<long>(1, timeout.count()));
  const std::string action = fmt::format("watch pod '{}' {}", name, c.in_namespace());
  try {
    auto session = c.open(timeout + watch_grace);
    auto request = c.request("GET", path);
    session->sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_GONE) return WatchEnd::gone;
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      Reply reply{.status = static_cast<int>(response.getStatus()), .reason = response.getReason(), .body = {}};
      Poco::StreamCopier::copyToString(in, reply.body);
      c.fail_status(reply, action, "GET", path);
    }
    // One JSON WatchEvent per line: {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": …}.
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const oci::Json event = parse_reply(line, "watch pod");
      const std::string type = event.value("type", "");
      const oci::Json& object = event.contains("object") ? event["object"] : oci::Json::object();
      if (type == "ERROR") {
        if (object.value("code", 0) == 410) return WatchEnd::gone;
        c.fail(object.value("code", 0), action, "GET", path, object.value("message", std::string("watch error")));
      }
      if (type == "BOOKMARK") continue;
      if (on_event(type, object) == WatchNext::stop) return WatchEnd::stopped;
    }
    return WatchEnd::closed;
  } catch (const Poco::TimeoutException&) {
    return WatchEnd::closed;  // a silent stream: the caller watches again while time is left
  } catch (const Poco::Exception& e) {
    c.fail(0, action, "GET", path, fmt::format("connection failed: {}", e.displayText()));
  }
}

std::string ApiClient::pod_log(const std::string& name, const std::string& container, std::size_t limit_bytes) {
  const std::string path = fmt::format("{}/{}/log?container={}&limitBytes={}", connection_->pods_path(), encode(name),
                                       encode(container), limit_bytes);
  const std::string action = fmt::format("read the log of container '{}' of pod '{}' {}", container, name,
                                         connection_->in_namespace());
  const Reply reply = connection_->send("GET", path, "", action);
  if (reply.status != 200) connection_->fail_status(reply, action, "GET", path);
  return reply.body;
}

oci::Json ApiClient::pod_events(const std::string& name) {
  const std::string path = fmt::format("/api/v1/namespaces/{}/events?fieldSelector={}",
                                       encode(config_.namespace_name), encode("involvedObject.name=" + name));
  const std::string action = fmt::format("list events of pod '{}' {}", name, connection_->in_namespace());
  const Reply reply = connection_->send("GET", path, "", action);
  if (reply.status != 200) connection_->fail_status(reply, action, "GET", path);
  return parse_reply(reply.body, "list events");
}

void ApiClient::delete_pod(const std::string& name) {
  const std::string path = fmt::format("{}/{}?gracePeriodSeconds=0&propagationPolicy=Background",
                                       connection_->pods_path(), encode(name));
  const std::string action = fmt::format("delete pod '{}' {}", name, connection_->in_namespace());
  const oci::Json options = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"gracePeriodSeconds", 0},
                             {"propagationPolicy", "Background"}};
  const Reply reply = connection_->send("DELETE", path, options.dump(), action);
  if (reply.status == 404) return;  // already gone (deleted by someone else, or never scheduled)
  if (reply.status != 200 && reply.status != 202) connection_->fail_status(reply, action, "DELETE", path);
}

void StreamInterrupt::interrupt() {
  std::lock_guard lock(mutex_);
  interrupted_ = true;
  if (end_read_) end_read_();
}

bool StreamInterrupt::interrupted() const {
  std::lock_guard lock(mutex_);
  return interrupted_;
}

bool StreamInterrupt::attach(std::function<void()> end_read) {
  std::lock_guard lock(mutex_);
  if (interrupted_) return false;
  end_read_ = std::move(end_read);
  return true;
}

void StreamInterrupt::detach() {
  std::lock_guard lock(mutex_);
  end_read_ = nullptr;
}

void ApiClient::follow_pod_log(const std::string& name, const std::string& container, std::chrono::seconds idle_timeout,
                               StreamInterrupt& interrupt,
                               const std::function<void(std::string_view line)>& on_line) {
  const Connection& c = *connection_;
  const std::string path =
      fmt::format("{}/{}/log?container={}&follow=true", c.pods_path(), encode(name), encode(container));
  const std::string action =
      fmt::format("follow the log of container '{}' of pod '{}' {}", container, name, c.in_namespace());
  try {
    auto session = c.open(idle_timeout);
    // Shutting the socket down (not closing it: this thread still owns it) makes the blocked
    // read return end-of-stream.
    if (!interrupt.attach([&session] {
          try {
            session->socket().shutdown();
          } catch (const Poco::Exception&) {
          }
        }))
      return;
    struct Detach {
      StreamInterrupt& interrupt;
      ~Detach() { interrupt.detach(); }
    } detach{interrupt};
    auto request = c.request("GET", path);
    session->sendRequest(request);
    // An interrupt before the connection existed had no socket to shut down: seen here.
    if (interrupt.interrupted()) return;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      Reply reply{.status = static_cast<int>(response.getStatus()), .reason = response.getReason(), .body = {}};
      Poco::StreamCopier::copyToString(in, reply.body);
      c.fail_status(reply, action, "GET", path);
    }
    for (std::string line; !interrupt.interrupted() && std::getline(in, line);) on_line(line);
  } catch (const Poco::TimeoutException&) {
    spdlog::debug("kubernetes: the log of {}/{} was silent for {} s; following stopped", name, container,
                  idle_timeout.count());
  } catch (const Poco::Exception& e) {
    if (interrupt.interrupted()) return;
    c.fail(0, action, "GET", path, fmt::format("connection failed: {}", e.displayText()));
  }
}

void ApiClient::create_secret(const oci::Json& secret) {
  const std::string action = fmt::format("create secrets {}", connection_->in_namespace());
  const Reply reply = connection_->send("POST", connection_->secrets_path(), secret.dump(), action);
  if (reply.status == 201 || reply.status == 200) return;  // the reply echoes the data: dropped unread
  // Only a Status object's message is quoted: anything else might echo the Secret back.
  std::string detail = fmt::format("{} {}", reply.status, reply.reason);
  try {
    const auto doc = oci::Json::parse(reply.body);
    if (doc.is_object() && doc.value("kind", std::string()) == "Status")
      detail += ": " + doc.value("message", std::string());
  } catch (const oci::Json::exception&) {
  }
  connection_->fail(reply.status, action, "POST", connection_->secrets_path(), detail);
}

void ApiClient::delete_secret(const std::string& name) {
  const std::string path = connection_->secrets_path() + "/" + encode(name);
  const std::string action = fmt::format("delete secret '{}' {}", name, connection_->in_namespace());
  const Reply reply = connection_->send("DELETE", path, "", action);
  if (reply.status == 404) return;
  if (reply.status != 200 && reply.status != 202)
    connection_->fail(reply.status, action, "DELETE", path, fmt::format("{} {}", reply.status, reply.reason));
}

}  // namespace kiln::kubernetes
