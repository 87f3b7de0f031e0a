// GET /healthz: the server answers; no token, for load balancers and probes.
#include "server/api/http_util.h"
#include "server/api/routes.h"

namespace kiln::server {

void get_health(ApiCall& call) { send_json(call.response, 200, oci::Json{{"status", "ok"}}); }

}  // namespace kiln::server
