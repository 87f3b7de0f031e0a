#pragma once
// A stand-in HTTP server on 127.0.0.1 whose every answer comes from the test's function: for
// registries that misbehave in ways a real one cannot be made to (a challenge naming another
// realm on a later request). Plain HTTP, or HTTPS with a self-signed certificate made at
// start-up for 127.0.0.1 and localhost (ca_file() is what a client trusts). Every request is
// recorded. Stopped by the destructor.
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln::testing {

struct ScriptedRequest {
  std::string method;
  std::string uri;            ///< path and query
  std::string authorization;  ///< the Authorization header, when sent
};

struct ScriptedAnswer {
  int status = 200;
  std::map<std::string, std::string> headers;
  std::string body;
};

class ScriptedServer {
 public:
  using Script = std::function<ScriptedAnswer(const ScriptedRequest&)>;
  enum class Scheme { http, https };
  ScriptedServer(Scheme scheme, Script script);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  /// "127.0.0.1:<port>"
  std::string host() const;
  int port() const;
  /// https: the self-signed certificate, which is its own CA.
  std::filesystem::path ca_file() const;
  std::vector<ScriptedRequest> requests() const;

  struct State;  ///< shared with the server's handler threads

 private:
  std::shared_ptr<State> state_;
};

}  // namespace kiln::testing
