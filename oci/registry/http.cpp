#include "oci/registry/http.h"

#include <Poco/String.h>
#include <Poco/URI.h>

namespace kiln::oci {
namespace {


}  // namespace

HttpRequest HttpRequest::to(std::string method, std::string url) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  return request;
}

void HttpRequest::set_header(const std::string& name, std::string value) {
  remove_header(name);
  headers.emplace_back(name, std::move(value));
}

void HttpRequest::remove_header(const std::string& name) {
  std::erase_if(headers, [&](const auto& h) { return Poco::icompare(h.first, name) == 0; });
}

std::optional<std::string> HttpRequest::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (Poco::icompare(k, name) == 0) return v;
  return std::nullopt;
}

std::optional<std::string> HttpResponse::header(const std::string& name) const {
  auto it = headers.find(Poco::toLower(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::string url_origin(const std::string& url) {
  Poco::URI uri(url);
  return Poco::toLower(uri.getScheme()) + "://" + Poco::toLower(uri.getHost()) + ":" + std::to_string(uri.getPort());
}

std::string url_for_display(const std::string& url) {
  auto q = url.find('?');
  return q == std::string::npos ? url : url.substr(0, q);
}

std::string resolve_url(const std::string& base, const std::string& reference) {
  Poco::URI uri(base);
  uri.resolve(reference);
  return uri.toString();
}

std::string append_query(const std::string& url, const std::string& name, const std::string& value) {
  std::string encoded;
  Poco::URI::encode(value, ":/?#[]@!$&'()*+,;=", encoded);
  return url + (url.find('?') == std::string::npos ? "?" : "&") + name + "=" + encoded;
}

}  // namespace kiln::oci
