#include "tests/support/stand_in_kubernetes_api.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <sstream>
#include <thread>

namespace kiln::testing {

using nlohmann::json;

namespace {

constexpr const char* pod_name = "kiln-verify-x7k2p";

json container(const std::string& name, json state) { return {{"name", name}, {"ready", false}, {"restartCount", 0}, {"state", state}}; }
json waiting(const std::string& reason, const std::string& message = "") {
  json w = {{"reason", reason}};
  if (!message.empty()) w["message"] = message;
  return {{"waiting", w}};
}
json running() { return {{"running", {{"startedAt", "2026-11-27T10:00:01Z"}}}}; }
json terminated(int code, const std::string& reason) { return {{"terminated", {{"exitCode", code}, {"reason", reason}}}}; }
json scheduled() { return json::array({{{"type", "PodScheduled"}, {"status", "True"}}}); }

json status(const std::string& phase, json init_state, json check_state) {
  return {{"phase", phase},
          {"conditions", scheduled()},
          {"initContainerStatuses", json::array({container("install-probe", std::move(init_state))})},
          {"containerStatuses", json::array({container("check", std::move(check_state))})}};
}

// The statuses the pod goes through after creation, in order.
std::vector<json> frames(PodScript script) {
  const json pending = status("Pending", waiting("PodInitializing"), waiting("PodInitializing"));
  const json initialised = terminated(0, "Completed");
  switch (script) {
    case PodScript::succeeds:
    case PodScript::watch_gone:
      return {pending, status("Running", initialised, running()), status("Succeeded", initialised, terminated(0, "Completed"))};
    case PodScript::probe_fails:
      return {pending, status("Running", initialised, running()), status("Failed", initialised, terminated(3, "Error"))};
    case PodScript::image_pull_backoff:
      return {pending, status("Pending", initialised, waiting("ErrImagePull", "rpc error: code = NotFound")),
              status("Pending", initialised,
                     waiting("ImagePullBackOff", "Back-off pulling image \"127.0.0.1:5000/app@sha256:0000\""))};
    case PodScript::unschedulable:
      return {{{"phase", "Pending"},
               {"conditions", json::array({{{"type", "PodScheduled"}, {"status", "False"}, {"reason", "Unschedulable"},
                                            {"message", "0/3 nodes are available: 3 node(s) didn't match Pod's node "
                                                        "affinity/selector."}}})}}};
    case PodScript::oom_killed:
      return {pending, status("Running", initialised, running()), status("Failed", initialised, terminated(137, "OOMKilled"))};
    case PodScript::deadline_exceeded: {
      json failed = status("Failed", initialised, terminated(137, "Error"));
      failed["reason"] = "DeadlineExceeded";
      failed["message"] = "Pod was active on the node longer than the specified deadline";
      return {pending, status("Running", initialised, running()), failed};
    }
    case PodScript::init_fails:
      return {pending, status("Failed", terminated(1, "Error"), waiting("PodInitializing"))};
    case PodScript::never_finishes:
      return {pending, status("Running", initialised, running())};
    case PodScript::create_forbidden:
      return {};
  }
  return {};
}

json events(PodScript script) {
  json items = json::array({{{"type", "Normal"}, {"reason", "Scheduled"}, {"message", "Successfully assigned ci/kiln-verify-x7k2p to node-1"},
                             {"source", {{"component", "default-scheduler"}}}}});
  if (script == PodScript::image_pull_backoff)
    items.push_back({{"type", "Warning"}, {"reason", "Failed"},
                     {"message", "Failed to pull image \"127.0.0.1:5000/app@sha256:0000\": not found"},
                     {"source", {{"component", "kubelet"}}}});
  if (script == PodScript::unschedulable)
    items = json::array({{{"type", "Warning"}, {"reason", "FailedScheduling"},
                          {"message", "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."},
                          {"source", {{"component", "default-scheduler"}}}}});
  return {{"kind", "EventList"}, {"apiVersion", "v1"}, {"items", items}};
}

json status_object(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"}, {"message", message}, {"reason", reason}, {"code", code}};
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : path) {
    if (c == '/') {
      if (!part.empty()) parts.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

struct StandInKubernetesApi::State {
  PodScript script = PodScript::succeeds;
  std::optional<ScriptedPod> scripted;
  std::string name = pod_name;
  std::map<std::string, json> secrets;  // live ones, by name
  std::vector<json> created_secrets;
  std::vector<std::string> deleted_secrets;
  std::string token;
  std::string probe_log;
  std::mutex mutex;
  std::vector<RecordedRequest> requests;
  std::optional<json> created;
  json pod;  // the stored pod, metadata and all
  std::vector<json> frames;
  bool created_live = false;
  bool deleted = false;
  int watches = 0;

  // Frame i carries resourceVersion 2+i; the pod as created carries 1.
  json pod_at(std::size_t frame) const {
    json p = pod;
    p["metadata"]["resourceVersion"] = std::to_string(2 + frame);
    p["status"] = frames[frame];
    return p;
  }
};

namespace {

class StandInHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit StandInHandler(std::shared_ptr<StandInKubernetesApi::State> state) : state_(std::move(state)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    const Poco::URI uri(request.getURI());
    const auto parts = split_path(uri.getPath());
    std::map<std::string, std::string> query;
    for (const auto& [k, v] : uri.getQueryParameters()) query[k] = v;
    State& s = *state_;
    {
      std::lock_guard lock(s.mutex);
      s.requests.push_back({request.getMethod(), request.getURI(), request.get("Authorization", ""), body});
    }
    if (!s.token.empty() && request.get("Authorization", "") != "Bearer " + s.token)
      return reply(response, 401, status_object(401, "Unauthorized", "Unauthorized"));
    // /api/v1/namespaces/{ns}/{pods|events}[/{name}[/log]]
    if (parts.size() < 5 || parts[0] != "api" || parts[1] != "v1" || parts[2] != "namespaces")
      return reply(response, 404, status_object(404, "NotFound", "the stand-in serves only core/v1 pods and events"));
    const std::string& resource = parts[4];
    const std::string method = request.getMethod();
    if (resource == "events" && method == "GET") {
      if (!s.scripted) return reply(response, 200, events(s.script));
      return reply(response, 200, {{"kind", "EventList"}, {"apiVersion", "v1"}, {"items", s.scripted->events}});
    }
    if (resource == "secrets") return secret(response, parts, method, body);
    if (resource != "pods") return reply(response, 404, status_object(404, "NotFound", "unknown resource"));

    if (parts.size() == 5 && method == "POST") return create(response, body);
    if (parts.size() == 5 && method == "GET" && query["watch"] == "1") return watch(response, query);
    if (parts.size() < 6) return reply(response, 405, status_object(405, "MethodNotAllowed", "not here"));
    if (parts[5] != s.name) return reply(response, 404, status_object(404, "NotFound", "pods \"" + parts[5] + "\" not found"));
    if (parts.size() == 7 && parts[6] == "log" && method == "GET" && s.scripted) return log(response, query);
    if (parts.size() == 7 && parts[6] == "log" && method == "GET") {
      response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
      response.setContentType("text/plain");
      response.sendBuffer(s.probe_log.data(), s.probe_log.size());
      return;
    }
    if (parts.size() == 6 && method == "GET") {
      std::lock_guard lock(s.mutex);
      if (!s.created_live) return reply(response, 404, status_object(404, "NotFound", "pods \"" + s.name + "\" not found"));
      // After a 410 the client re-reads the pod: it is where the first frame left it.
      return reply(response, 200, s.pod_at(0));
    }
    if (parts.size() == 6 && method == "DELETE") {
      std::lock_guard lock(s.mutex);
      if (!s.created_live) return reply(response, 404, status_object(404, "NotFound", "pods \"" + s.name + "\" not found"));
      s.created_live = false;
      s.deleted = true;
      return reply(response, 200, s.pod);
    }
    return reply(response, 405, status_object(405, "MethodNotAllowed", "not here"));
  }

 private:
  using State = StandInKubernetesApi::State;

  static void reply(Poco::Net::HTTPServerResponse& response, int code, const json& doc) {
    const std::string text = doc.dump();
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(code));
    response.setContentType("application/json");
    response.sendBuffer(text.data(), text.size());
  }

  void create(Poco::Net::HTTPServerResponse& response, const std::string& body) {
    State& s = *state_;
    if (s.script == PodScript::create_forbidden)
      return reply(response, 403,
                   status_object(403, "Forbidden",
                                 "pods is forbidden: User \"system:serviceaccount:ci:kiln\" cannot create resource "
                                 "\"pods\" in API group \"\" in the namespace \"ci\""));
    std::lock_guard lock(s.mutex);
    s.created = json::parse(body);
    s.pod = *s.created;
    if (s.pod["metadata"].contains("name")) s.name = s.pod["metadata"]["name"].get<std::string>();
    s.pod["metadata"].erase("generateName");
    s.pod["metadata"]["name"] = s.name;
    s.pod["metadata"]["namespace"] = "ci";
    s.pod["metadata"]["resourceVersion"] = "1";
    s.pod["status"] = {{"phase", "Pending"}};
    s.created_live = true;
    reply(response, 201, s.pod);
  }

  // POST …/secrets, DELETE …/secrets/{name}: stored, never echoed into anything but the reply.
  void secret(Poco::Net::HTTPServerResponse& response, const std::vector<std::string>& parts, const std::string& method,
              const std::string& body) {
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    if (parts.size() == 5 && method == "POST") {
      json secret = json::parse(body);
      const std::string name = secret["metadata"].value("name", std::string());
      if (name.empty()) return reply(response, 422, status_object(422, "Invalid", "Secret \"\" is invalid: metadata.name: Required value"));
      if (s.secrets.count(name)) return reply(response, 409, status_object(409, "AlreadyExists", "secrets \"" + name + "\" already exists"));
      s.created_secrets.push_back(secret);
      secret["metadata"]["namespace"] = "ci";
      s.secrets[name] = secret;
      return reply(response, 201, secret);
    }
    if (parts.size() == 6 && method == "DELETE") {
      if (!s.secrets.erase(parts[5])) return reply(response, 404, status_object(404, "NotFound", "secrets \"" + parts[5] + "\" not found"));
      s.deleted_secrets.push_back(parts[5]);
      return reply(response, 200, status_object(200, "", "deleted"));
    }
    return reply(response, 405, status_object(405, "MethodNotAllowed", "not here"));
  }

  // A scripted pod's container log: whole, or followed a line at a time (see ScriptedPod).
  void log(Poco::Net::HTTPServerResponse& response, std::map<std::string, std::string>& query) {
    State& s = *state_;
    const std::string container = query["container"];
    std::string text;
    bool ends = true;
    {
      std::lock_guard lock(s.mutex);
      auto found = s.scripted->logs.find(container);
      if (found == s.scripted->logs.end())
        return reply(response, 400, status_object(400, "BadRequest", "container " + container + " is not valid for pod " + s.name));
      text = found->second;
      if (!s.frames.empty()) {
        ends = false;
        const json& last = s.frames.back();
        for (const char* list : {"initContainerStatuses", "containerStatuses"})
          if (last.contains(list))
            for (const auto& c : last[list])
              if (c.value("name", "") == container && c.contains("state") && c["state"].contains("terminated")) ends = true;
      }
    }
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType("text/plain");
    if (query["follow"] != "true") {
      response.sendBuffer(text.data(), text.size());
      return;
    }
    response.setChunkedTransferEncoding(true);
    std::ostream& out = response.send();
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      out << line << "\n" << std::flush;
      std::this_thread::sleep_for(s.scripted->line_gap);
    }
    for (int i = 0; !ends && i < 400 && out.good(); ++i) {
      {
        std::lock_guard lock(s.mutex);
        if (!s.created_live) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // Streams the frames newer than resourceVersion as MODIFIED events, then closes; with nothing
  // new it waits (as a real watch would) up to timeoutSeconds, at most 2 s here.
  void watch(Poco::Net::HTTPServerResponse& response, std::map<std::string, std::string>& query) {
    State& s = *state_;
    std::vector<json> events;
    {
      std::lock_guard lock(s.mutex);
      ++s.watches;
      if (s.script == PodScript::watch_gone && s.watches == 1) {
        events.push_back({{"type", "ERROR"},
                          {"object", status_object(410, "Expired", "too old resource version: 1 (2)")}});
      } else {
        const long from = std::stol(query["resourceVersion"].empty() ? "0" : query["resourceVersion"]);
        for (std::size_t i = 0; i < s.frames.size(); ++i)
          if (static_cast<long>(2 + i) > from) events.push_back({{"type", "MODIFIED"}, {"object", s.pod_at(i)}});
      }
    }
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType("application/json");
    response.setChunkedTransferEncoding(true);
    std::ostream& out = response.send();
    for (const auto& event : events) {
      out << event.dump() << "\n" << std::flush;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (events.empty()) {
      const long wait = std::min(2L, std::stol(query["timeoutSeconds"].empty() ? "1" : query["timeoutSeconds"]));
      std::this_thread::sleep_for(std::chrono::seconds(wait));
    }
  }

  std::shared_ptr<State> state_;
};

class StandInFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit StandInFactory(std::shared_ptr<StandInKubernetesApi::State> state) : state_(std::move(state)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new StandInHandler(state_);
  }

 private:
  std::shared_ptr<StandInKubernetesApi::State> state_;
};

}  // namespace

struct StandInKubernetesApi::Server {
  Poco::Net::ServerSocket socket;
  std::unique_ptr<Poco::Net::HTTPServer> http;
};

StandInKubernetesApi::StandInKubernetesApi(PodScript script, std::string token, std::string probe_log,
                                           std::optional<StandInTls> tls)
    : state_(std::make_shared<State>()), server_(std::make_unique<Server>()), tls_(tls.has_value()) {
  state_->script = script;
  state_->token = std::move(token);
  state_->probe_log = std::move(probe_log);
  state_->frames = frames(script);
  listen(tls);
}

StandInKubernetesApi::StandInKubernetesApi(ScriptedPod pod, std::string token)
    : state_(std::make_shared<State>()), server_(std::make_unique<Server>()) {
  state_->token = std::move(token);
  state_->frames = pod.statuses;
  state_->scripted = std::move(pod);
  listen(std::nullopt);
}

void StandInKubernetesApi::listen(const std::optional<StandInTls>& tls) {
  if (tls) {
    Poco::Net::initializeSSL();
    // VERIFY_STRICT on a server: a client that presents no certificate signed by the CA is refused.
    Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::SERVER_USE, tls->key_file,
                                                           tls->certificate_file, tls->client_ca_file,
                                                           Poco::Net::Context::VERIFY_STRICT, 9, false));
    // Poco would also demand that the client's certificate name the client's address.
    context->enableExtendedCertificateVerification(false);
    server_->socket = Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
  } else {
    server_->socket = Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0));
  }
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(8);
  params->setKeepAlive(false);
  server_->http = std::make_unique<Poco::Net::HTTPServer>(new StandInFactory(state_), server_->socket, params);
  server_->http->start();
}

StandInKubernetesApi::~StandInKubernetesApi() { server_->http->stopAll(true); }

std::string StandInKubernetesApi::server() const {
  return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(server_->socket.address().port());
}

std::vector<RecordedRequest> StandInKubernetesApi::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

std::optional<json> StandInKubernetesApi::created_pod() const {
  std::lock_guard lock(state_->mutex);
  return state_->created;
}

std::vector<std::string> StandInKubernetesApi::live_pods() const {
  std::lock_guard lock(state_->mutex);
  return state_->created_live ? std::vector<std::string>{state_->name} : std::vector<std::string>{};
}

std::vector<std::string> StandInKubernetesApi::deleted_pods() const {
  std::lock_guard lock(state_->mutex);
  return state_->deleted ? std::vector<std::string>{state_->name} : std::vector<std::string>{};
}

std::vector<json> StandInKubernetesApi::created_secrets() const {
  std::lock_guard lock(state_->mutex);
  return state_->created_secrets;
}

std::vector<std::string> StandInKubernetesApi::live_secrets() const {
  std::lock_guard lock(state_->mutex);
  std::vector<std::string> names;
  for (const auto& [name, secret] : state_->secrets) names.push_back(name);
  return names;
}

std::vector<std::string> StandInKubernetesApi::deleted_secrets() const {
  std::lock_guard lock(state_->mutex);
  return state_->deleted_secrets;
}

}  // namespace kiln::testing
