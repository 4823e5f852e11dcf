#include "cloudwatch/metric_math_parser.h"

#include <charconv>
#include <cmath>
#include <utility>

#include "cloudwatch/metric_math.h"

namespace runnel::cloudwatch {
namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return is_lower(c) || is_upper(c) || is_digit(c) || c == '_'; }

// Recursive descent, one function per precedence level, lowest first:
// OR, AND, comparisons, + -, * /, unary minus, ^ (right-associative).
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<MathNode> parse() {
    auto node = parse_or();
    if (!node) return node;
    skip_space();
    if (pos_ < text_.size()) return fail("unexpected '" + token_text() + "'");
    return node;
  }

 private:
  std::unexpected<Status> fail(const std::string& what) const {
    return error(Status::invalid_argument("syntax error at column " + std::to_string(pos_ + 1) + ": " + what));
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  // The token at pos_, for messages ("end of expression" at the end).
  std::string token_text() const {
    if (pos_ >= text_.size()) return "end of expression";
    std::size_t end = pos_ + 1;
    if (is_word(text_[pos_])) {
      while (end < text_.size() && is_word(text_[end]) && end - pos_ < 40) ++end;
    }
    return std::string(text_.substr(pos_, end - pos_));
  }

  // Consumes `s` (after spaces) if it is next. A word operator (AND, OR) must
  // not run on into a longer word.
  bool accept(std::string_view s) {
    skip_space();
    if (text_.substr(pos_, s.size()) != s) return false;
    if (is_word(s.back()) && pos_ + s.size() < text_.size() && is_word(text_[pos_ + s.size()])) return false;
    pos_ += s.size();
    return true;
  }

  static MathNode binary(MathOp op, MathNode lhs, MathNode rhs) {
    MathNode n;
    n.kind = MathNode::Kind::kBinary;
    n.op = op;
    n.position = lhs.position;
    n.children.push_back(std::move(lhs));
    n.children.push_back(std::move(rhs));
    return n;
  }

  // Guards every recursion that can nest without bound.
  struct DepthGuard {
    explicit DepthGuard(int& d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
    int& depth;
  };
  bool too_deep() const { return depth_ > kMaxNestingDepth; }

  Result<MathNode> parse_or() {
    auto lhs = parse_and();
    while (lhs) {
      if (!accept("||") && !accept("OR")) break;
      auto rhs = parse_and();
      if (!rhs) return rhs;
      lhs = binary(MathOp::kOr, std::move(*lhs), std::move(*rhs));
    }
    return lhs;
  }

  Result<MathNode> parse_and() {
    auto lhs = parse_comparison();
    while (lhs) {
      if (!accept("&&") && !accept("AND")) break;
      auto rhs = parse_comparison();
      if (!rhs) return rhs;
      lhs = binary(MathOp::kAnd, std::move(*lhs), std::move(*rhs));
    }
    return lhs;
  }

  Result<MathNode> parse_comparison() {
    auto lhs = parse_additive();
    while (lhs) {
      MathOp op;
      // Two-character operators first, so "<=" is not read as "<".
      if (accept("=="))
        op = MathOp::kEq;
      else if (accept("!="))
        op = MathOp::kNe;
      else if (accept("<="))
        op = MathOp::kLe;
      else if (accept(">="))
        op = MathOp::kGe;
      else if (accept("<"))
        op = MathOp::kLt;
      else if (accept(">"))
        op = MathOp::kGt;
      else
        break;
      auto rhs = parse_additive();
      if (!rhs) return rhs;
      lhs = binary(op, std::move(*lhs), std::move(*rhs));
    }
    return lhs;
  }

  Result<MathNode> parse_additive() {
    auto lhs = parse_multiplicative();
    while (lhs) {
      MathOp op;
      if (accept("+"))
        op = MathOp::kAdd;
      else if (accept("-"))
        op = MathOp::kSub;
      else
        break;
      auto rhs = parse_multiplicative();
      if (!rhs) return rhs;
      lhs = binary(op, std::move(*lhs), std::move(*rhs));
    }
    return lhs;
  }

  Result<MathNode> parse_multiplicative() {
    auto lhs = parse_unary();
    while (lhs) {
      MathOp op;
      if (accept("*"))
        op = MathOp::kMul;
      else if (accept("/"))
        op = MathOp::kDiv;
      else
        break;
      auto rhs = parse_unary();
      if (!rhs) return rhs;
      lhs = binary(op, std::move(*lhs), std::move(*rhs));
    }
    return lhs;
  }

  Result<MathNode> parse_unary() {
    DepthGuard guard(depth_);
    if (too_deep()) return fail("the expression nests deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    skip_space();
    const std::size_t start = pos_;
    if (accept("-")) {
      auto operand = parse_unary();
      if (!operand) return operand;
      MathNode n;
      n.kind = MathNode::Kind::kUnary;
      n.op = MathOp::kNeg;
      n.position = start;
      n.children.push_back(std::move(*operand));
      return n;
    }
    auto base = parse_primary();
    if (!base) return base;
    if (!accept("^")) return base;
    auto exponent = parse_unary();  // right-associative; 2^-1 is allowed
    if (!exponent) return exponent;
    return binary(MathOp::kPow, std::move(*base), std::move(*exponent));
  }

  // Comma-separated expressions up to `close`; the opening bracket is consumed.
  Result<std::vector<MathNode>> parse_list(char close) {
    std::vector<MathNode> items;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == close) {
      ++pos_;
      return items;
    }
    while (true) {
      auto item = parse_or();
      if (!item) return error(item.error());
      items.push_back(std::move(*item));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == close) {
        ++pos_;
        return items;
      }
      return fail(std::string("expected ',' or '") + close + "' but found '" + token_text() + "'");
    }
  }

  Result<MathNode> parse_number() {
    MathNode n;
    n.kind = MathNode::Kind::kNumber;
    n.position = pos_;
    std::size_t end = pos_;
    while (end < text_.size() && is_digit(text_[end])) ++end;
    if (end < text_.size() && text_[end] == '.') {
      ++end;
      while (end < text_.size() && is_digit(text_[end])) ++end;
    }
    if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
      std::size_t e = end + 1;
      if (e < text_.size() && (text_[e] == '+' || text_[e] == '-')) ++e;
      if (e < text_.size() && is_digit(text_[e])) {
        while (e < text_.size() && is_digit(text_[e])) ++e;
        end = e;
      }
    }
    const auto [ptr, ec] = std::from_chars(text_.data() + pos_, text_.data() + end, n.number);
    if (ec != std::errc() || ptr != text_.data() + end || !std::isfinite(n.number)) {
      return fail("'" + std::string(text_.substr(pos_, end - pos_)) + "' is not a valid number");
    }
    pos_ = end;
    if (pos_ < text_.size() && is_word(text_[pos_])) return fail("unexpected '" + token_text() + "' after a number");
    return n;
  }

  Result<MathNode> parse_primary() {
    skip_space();
    if (pos_ >= text_.size()) return fail("expected a value but found the end of the expression");
    const char c = text_[pos_];
    const std::size_t start = pos_;
    if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) return parse_number();
    if (c == '(') {
      ++pos_;
      auto inner = parse_or();
      if (!inner) return inner;
      if (!accept(")")) return fail("expected ')' but found '" + token_text() + "'");
      return inner;
    }
    if (c == '[') {
      ++pos_;
      auto items = parse_list(']');
      if (!items) return error(items.error());
      MathNode n;
      n.kind = MathNode::Kind::kArray;
      n.position = start;
      n.children = std::move(*items);
      return n;
    }
    if (c == '"') {
      const std::size_t close = text_.find('"', pos_ + 1);
      if (close == std::string_view::npos) return fail("the string has no closing '\"'");
      MathNode n;
      n.kind = MathNode::Kind::kString;
      n.position = start;
      n.text = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return n;
    }
    if (is_lower(c)) {
      std::size_t end = pos_;
      while (end < text_.size() && is_word(text_[end])) ++end;
      MathNode n;
      n.kind = MathNode::Kind::kId;
      n.position = start;
      n.text = std::string(text_.substr(pos_, end - pos_));
      pos_ = end;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '(') {
        return error(Status::invalid_argument("syntax error at column " + std::to_string(start + 1) +
                                              ": unknown function '" + n.text + "' (function names are upper case)"));
      }
      return n;
    }
    if (is_upper(c)) {
      std::size_t end = pos_;
      while (end < text_.size() && is_word(text_[end])) ++end;
      MathNode n;
      n.position = start;
      n.text = std::string(text_.substr(pos_, end - pos_));
      pos_ = end;
      if (n.text == "AND" || n.text == "OR") {
        pos_ = start;
        return fail("expected a value but found '" + n.text + "'");
      }
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '(') {
        ++pos_;
        auto args = parse_list(')');
        if (!args) return error(args.error());
        n.kind = MathNode::Kind::kCall;
        n.children = std::move(*args);
        return n;
      }
      n.kind = MathNode::Kind::kKeyword;
      return n;
    }
    return fail("unexpected '" + token_text() + "'");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<MathNode> parse_metric_math(std::string_view text) {
  if (text.size() > kMaxExpressionLength) {
    return error(Status::invalid_argument("the expression is " + std::to_string(text.size()) +
                                          " characters long; the maximum is " + std::to_string(kMaxExpressionLength)));
  }
  return Parser(text).parse();
}

void collect_ids(const MathNode& node, std::vector<std::string>& out) {
  if (node.kind == MathNode::Kind::kId) out.push_back(node.text);
  for (const auto& child : node.children) collect_ids(child, out);
}

bool calls_metrics(const MathNode& node) {
  if (node.kind == MathNode::Kind::kCall && node.text == "METRICS") return true;
  for (const auto& child : node.children) {
    if (calls_metrics(child)) return true;
  }
  return false;
}

}  // namespace runnel::cloudwatch
