// JSON spec files through nlohmann's SAX parser. nlohmann reports no positions for values, so
// the input runs through an iterator that records how far the lexer has read: at each SAX
// event that is the end of the token just read, which gives every key and value its line.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "verify/spec/spec_node.h"

namespace kiln::verify {
namespace {

class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* position, const char* begin, std::size_t* consumed)
      : position_(position), begin_(begin), consumed_(consumed) {}
  reference operator*() const { return *position_; }
  CountingIterator& operator++() {
    ++position_;
    *consumed_ = std::max(*consumed_, static_cast<std::size_t>(position_ - begin_));
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const CountingIterator& a, const CountingIterator& b) { return a.position_ == b.position_; }
  friend bool operator!=(const CountingIterator& a, const CountingIterator& b) { return !(a == b); }

 private:
  const char* position_;
  const char* begin_;
  std::size_t* consumed_;
};

class TreeBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  TreeBuilder(const std::string& text, const std::size_t* consumed) : text_(text), consumed_(consumed) {}

  bool null() override { return add(scalar(SpecNode::Kind::null, SpecNode::ScalarType::plain, "")); }
  bool boolean(bool value) override {
    return add(scalar(SpecNode::Kind::scalar, SpecNode::ScalarType::boolean, value ? "true" : "false"));
  }
  bool number_integer(number_integer_t value) override { return add_number(std::to_string(value)); }
  bool number_unsigned(number_unsigned_t value) override { return add_number(std::to_string(value)); }
  bool number_float(number_float_t, const string_t& text) override { return add_number(text); }
  bool string(string_t& value) override {
    return add(scalar(SpecNode::Kind::scalar, SpecNode::ScalarType::string, value));
  }
  bool binary(binary_t&) override { return false; }  // never produced by the JSON lexer
  bool start_object(std::size_t) override { return open(SpecNode::Kind::map); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(SpecNode::Kind::sequence); }
  bool end_array() override { return close(); }
  bool key(string_t& value) override {
    pending_key_ = value;
    pending_key_line_ = current_line();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    error_line_ = line_at(position == 0 ? 0 : position - 1);
    error_ = e.what();
    return false;
  }

  SpecNode root;
  std::string error_;
  std::size_t error_line_ = 0;

 private:
  std::size_t line_at(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    return 1 + static_cast<std::size_t>(std::count(text_.begin(), text_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  }
  // The last character consumed: a string's closing quote, a bracket, or the character after
  // a number (which is why that one is left out of the count).
  std::size_t current_line() const { return line_at(*consumed_ == 0 ? 0 : *consumed_ - 1); }

  SpecNode scalar(SpecNode::Kind kind, SpecNode::ScalarType type, std::string text) const {
    SpecNode node;
    node.kind = kind;
    node.scalar_type = type;
    node.text = std::move(text);
    node.line = current_line();
    return node;
  }
  bool add_number(std::string text) {
    return add(scalar(SpecNode::Kind::scalar, SpecNode::ScalarType::number, std::move(text)));
  }
  // Places a finished node in its parent (or as the root); returns a pointer to where it went.
  SpecNode* place(SpecNode node) {
    if (stack_.empty()) {
      root = std::move(node);
      return &root;
    }
    SpecNode& parent = *stack_.back();
    if (parent.kind == SpecNode::Kind::map) {
      parent.members.push_back({.key = pending_key_, .line = pending_key_line_, .value = std::move(node)});
      return &parent.members.back().value;
    }
    parent.items.push_back(std::move(node));
    return &parent.items.back();
  }
  bool add(SpecNode node) {
    place(std::move(node));
    return true;
  }
  bool open(SpecNode::Kind kind) {
    if (stack_.size() > 64) {
      error_ = "nested too deeply";
      error_line_ = current_line();
      return false;
    }
    SpecNode node;
    node.kind = kind;
    node.line = current_line();
    // Children are appended to the innermost open node only, so pointers to the open nodes
    // stay valid: a vector only reallocates while its own children are added.
    stack_.push_back(place(std::move(node)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  const std::string& text_;
  const std::size_t* consumed_;
  std::vector<SpecNode*> stack_;
  std::string pending_key_;
  std::size_t pending_key_line_ = 0;
};

}  // namespace

SpecNode parse_json_spec_node(const std::string& text, const std::string& file) {
  std::size_t consumed = 0;
  TreeBuilder builder(text, &consumed);
  const CountingIterator first(text.data(), text.data(), &consumed);
  const CountingIterator last(text.data() + text.size(), text.data(), &consumed);
  if (!nlohmann::json::sax_parse(first, last, &builder)) {
    if (builder.error_.empty()) builder.error_ = "unexpected content";
    throw_usage(file + ":" + std::to_string(builder.error_line_) + ": not valid JSON: " + builder.error_);
  }
  return std::move(builder.root);
}

}  // namespace kiln::verify
