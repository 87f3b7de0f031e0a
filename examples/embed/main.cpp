// kiln-embed-example BASE BINARY TARGET: puts BINARY on the image BASE at /usr/local/app/main
// (WORKDIR /usr/local/app, ENTRYPOINT the binary), pushes it as TARGET and prints its digest.
// KILN_INSECURE=true talks plain HTTP (a local registry); KILN_USERNAME and KILN_PASSWORD log
// in to TARGET's registry; SOURCE_DATE_EPOCH stamps the image, as for kiln-plugin.
#include <kiln/kiln.h>

#include <cstdlib>
#include <iostream>
#include <string>

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The registry part of a reference: what comes before the first '/' when it looks like a host.
std::string registry_of(const std::string& reference) {
  const auto slash = reference.find('/');
  if (slash == std::string::npos) return "docker.io";
  const std::string first = reference.substr(0, slash);
  const bool host = first.find_first_of(".:") != std::string::npos || first == "localhost";
  return host ? first : "docker.io";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: kiln-embed-example BASE BINARY TARGET\n";
    return 2;
  }
  kiln::BuildRequest request;
  request.base = argv[1];
  request.binary = argv[2];
  request.targets = {argv[3]};
  request.registry.insecure = env("KILN_INSECURE") == "true";
  if (!env("KILN_USERNAME").empty())
    request.registry.credentials.push_back({registry_of(argv[3]), env("KILN_USERNAME"), env("KILN_PASSWORD")});
  if (!env("SOURCE_DATE_EPOCH").empty()) request.source_date_epoch = std::stoll(env("SOURCE_DATE_EPOCH"));
  request.progress = [](const kiln::ProgressEvent& event) {
    if (event.kind == kiln::ProgressEvent::Kind::reference_pushed) std::cerr << "pushed " << event.subject << "\n";
  };
  try {
    const kiln::BuildResult result = kiln::build_image(request);
    std::cout << result.digest << "\n";
    return 0;
  } catch (const kiln::UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const kiln::Exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  }
}
