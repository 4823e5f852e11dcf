#pragma once
// The metric math grammar (cloudwatch/README.md) parsed into a tree. Pure;
// any thread.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace runnel::cloudwatch {

// Binary and unary operators. kAnd/kOr are `AND`/`&&` and `OR`/`||`.
enum class MathOp { kAdd, kSub, kMul, kDiv, kPow, kNeg, kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr };

struct MathNode {
  enum class Kind {
    kNumber,   // number
    kId,       // text: a query Id (starts with a lower-case letter)
    kString,   // text: a "quoted" string, without its quotes
    kKeyword,  // text: an upper-case word that is not a call: REPEAT, LINEAR, AVG, ASC...
    kArray,    // children: the elements of [a, b, ...]
    kUnary,    // op kNeg, children[0]
    kBinary,   // op, children[0] op children[1]
    kCall,     // text: the function name; children: the arguments
  };
  Kind kind = Kind::kNumber;
  MathOp op = MathOp::kAdd;
  double number = 0;
  std::string text;
  std::vector<MathNode> children;
  std::size_t position = 0;  // 0-based offset of the node's first character
};

// Parses one expression. A syntax error is Status::invalid_argument with a
// message saying what was expected at which (1-based) column. Nesting deeper
// than kMaxNestingDepth is an error, not a stack overflow.
[[nodiscard]] Result<MathNode> parse_metric_math(std::string_view text);

// Appends the Ids `node` refers to (duplicates included).
void collect_ids(const MathNode& node, std::vector<std::string>& out);

// True if `node` contains a METRICS(...) call.
bool calls_metrics(const MathNode& node);

}  // namespace runnel::cloudwatch
