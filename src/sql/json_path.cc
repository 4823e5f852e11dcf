#include "sql/json_path.h"

#include <cctype>

namespace runnel::sql {

namespace dom = simdjson::dom;

namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '$' ||
         (static_cast<unsigned char>(c) & 0x80);
}

}  // namespace

Result<JsonPath> JsonPath::parse(std::string_view text) {
  auto bad = [&](const char* why) {
    return error(Status::invalid_argument("invalid JSONPath '" + std::string(text) + "': " + why));
  };
  JsonPath p;
  p.text_ = std::string(text);
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i >= text.size() || text[i] != '$') return bad("expected '$'");
  ++i;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '.') {
      ++i;
      const size_t start = i;
      while (i < text.size() && name_char(text[i])) ++i;
      if (i == start) return bad("expected a name after '.'");
      p.steps_.push_back(Step{Step::Kind::kField, std::string(text.substr(start, i - start)), 0});
    } else if (c == '[') {
      ++i;
      if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
        const char q = text[i++];
        std::string name;
        while (i < text.size() && text[i] != q) {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          name += text[i++];
        }
        if (i >= text.size()) return bad("unterminated quoted name");
        ++i;
        if (i >= text.size() || text[i] != ']') return bad("expected ']'");
        ++i;
        p.steps_.push_back(Step{Step::Kind::kField, std::move(name), 0});
        continue;
      }
      int64_t n = 0;
      const size_t start = i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        n = n * 10 + (text[i] - '0');
        if (n > 1'000'000'000) return bad("index too large");
        ++i;
      }
      if (i == start) return bad("expected an index");
      Step s{Step::Kind::kIndex, "", n};
      if (i < text.size() && text[i] == ':') {
        s.kind = Step::Kind::kFanOut;
        ++i;
      }
      if (i >= text.size() || text[i] != ']') return bad("expected ']'");
      ++i;
      p.steps_.push_back(std::move(s));
    } else if (c == ' ' && text.substr(i).find_first_not_of(' ') == std::string_view::npos) {
      break;
    } else {
      return bad("unexpected character");
    }
  }
  return p;
}

bool JsonPath::has_fan_out() const {
  for (const Step& s : steps_)
    if (s.kind == Step::Kind::kFanOut) return true;
  return false;
}

bool JsonPath::find(dom::element root, dom::element& out) const {
  dom::element at = root;
  for (const Step& s : steps_) {
    if (s.kind == Step::Kind::kField) {
      dom::object obj;
      if (at.get_object().get(obj) != simdjson::SUCCESS) return false;
      if (obj.at_key(s.name).get(at) != simdjson::SUCCESS) return false;
    } else {
      dom::array arr;
      if (at.get_array().get(arr) != simdjson::SUCCESS) return false;
      if (arr.at(static_cast<size_t>(s.index)).get(at) != simdjson::SUCCESS) return false;
    }
  }
  out = at;
  return true;
}

void JsonPath::walk(dom::element at, size_t step, std::vector<dom::element>& out) const {
  for (; step < steps_.size(); ++step) {
    const Step& s = steps_[step];
    if (s.kind == Step::Kind::kField) {
      dom::object obj;
      if (at.get_object().get(obj) != simdjson::SUCCESS) return;
      if (obj.at_key(s.name).get(at) != simdjson::SUCCESS) return;
    } else {
      dom::array arr;
      if (at.get_array().get(arr) != simdjson::SUCCESS) return;
      if (s.kind == Step::Kind::kIndex) {
        if (arr.at(static_cast<size_t>(s.index)).get(at) != simdjson::SUCCESS) return;
      } else {
        int64_t i = 0;
        for (dom::element e : arr) {
          if (i++ >= s.index) walk(e, step + 1, out);
        }
        return;
      }
    }
  }
  out.push_back(at);
}

void JsonPath::find_all(dom::element root, std::vector<dom::element>& out) const { walk(root, 0, out); }

std::optional<JsonPath> JsonPath::relative_to(const JsonPath& prefix) const {
  if (prefix.steps_.size() > steps_.size()) return std::nullopt;
  for (size_t i = 0; i < prefix.steps_.size(); ++i)
    if (!(prefix.steps_[i] == steps_[i])) return std::nullopt;
  JsonPath rest;
  rest.steps_.assign(steps_.begin() + static_cast<std::ptrdiff_t>(prefix.steps_.size()), steps_.end());
  rest.text_ = "$";
  for (const Step& s : rest.steps_) {
    if (s.kind == Step::Kind::kField)
      rest.text_ += "[\"" + s.name + "\"]";
    else
      rest.text_ += "[" + std::to_string(s.index) + (s.kind == Step::Kind::kFanOut ? ":]" : "]");
  }
  return rest;
}

}  // namespace runnel::sql
