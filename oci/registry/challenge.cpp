#include "oci/registry/challenge.h"

#include <Poco/String.h>

#include <cctype>

namespace kiln::oci {
namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A cursor over the header; every helper leaves it after what it consumed.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool done() const { return i >= s.size(); }
  void skip_space() {
    while (!done() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  void skip_space_and_commas() {
    while (!done() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
  }
  std::string token() {
    std::size_t start = i;
    while (!done() && is_token_char(s[i])) ++i;
    return std::string(s.substr(start, i - start));
  }
  std::string quoted() {  // at the opening quote
    std::string out;
    for (++i; !done() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out += s[i];
    }
    if (!done()) ++i;
    return out;
  }
};

}  // namespace

std::string Challenge::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::vector<std::string> Challenge::scopes() const {
  std::vector<std::string> out;
  const std::string all = param("scope");
  for (std::size_t pos = 0; pos < all.size();) {
    auto end = all.find(' ', pos);
    if (end == std::string::npos) end = all.size();
    if (end > pos) out.push_back(all.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::vector<Challenge> parse_challenges(std::string_view header) {
  std::vector<Challenge> out;
  Cursor c{header};
  while (true) {
    c.skip_space_and_commas();
    if (c.done()) break;
    std::string scheme = c.token();
    if (scheme.empty()) {
      ++c.i;  // not a token character: skip it rather than loop forever
      continue;
    }
    Challenge challenge{Poco::toLower(scheme), {}};
    // `Negotiate abc==`: a token68 right after the scheme (RFC 7235) is not the next challenge.
    c.skip_space();
    const std::size_t after_scheme = c.i;
    std::string token68 = c.token();
    while (!c.done() && c.s[c.i] == '=') ++c.i;
    c.skip_space();
    if (!token68.empty() && (c.done() || c.s[c.i] == ','))
      challenge.params["token68"] = std::string(c.s.substr(after_scheme, c.i - after_scheme));
    else
      c.i = after_scheme;
    // Parameters follow until a token that is not followed by '=' starts the next challenge.
    while (true) {
      c.skip_space_and_commas();
      const std::size_t mark = c.i;
      std::string name = c.token();
      c.skip_space();
      if (name.empty() || c.done() || c.s[c.i] != '=') {
        c.i = mark;
        break;
      }
      ++c.i;
      c.skip_space();
      std::string value = (!c.done() && c.s[c.i] == '"') ? c.quoted() : c.token();
      challenge.params[Poco::toLower(name)] = value;
    }
    out.push_back(std::move(challenge));
  }
  return out;
}

std::optional<Challenge> pick_challenge(std::string_view header) {
  for (auto& c : parse_challenges(header))
    if (c.scheme == "basic" || c.scheme == "bearer") return c;
  return std::nullopt;
}

}  // namespace kiln::oci
