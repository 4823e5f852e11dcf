#include "sql/ast.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <type_traits>

namespace runnel::sql::ast {

namespace {

// Words the parser does not take as bare names (sql/parser.cc relies on this
// list through is_reserved_word()). Sorted, for binary search.
constexpr auto kReserved = std::to_array<std::string_view>({
    "ALL",     "AND",       "AS",       "ASC",      "ASYMMETRIC", "BETWEEN",   "BY",     "CASE",      "CAST",
    "CREATE",  "CROSS",     "DESC",     "DISTINCT", "ELSE",       "END",       "ESCAPE", "EXCEPT",    "EXISTS",
    "FALSE",   "FOLLOWING", "FOR",      "FROM",     "FULL",       "GROUP",     "HAVING", "IN",        "INNER",
    "INSERT",  "INTERSECT", "INTERVAL", "INTO",     "IS",         "JOIN",      "LEFT",   "LIKE",      "NATURAL",
    "NOT",     "NULL",      "ON",       "OR",       "ORDER",      "OUTER",     "OVER",   "PARTITION", "PRECEDING",
    "RANGE",   "RIGHT",     "ROWS",     "SELECT",   "SIMILAR",    "SYMMETRIC", "THEN",   "TRUE",      "UNION",
    "UNKNOWN", "USING",     "WHEN",     "WHERE",    "WINDOW",     "WINDOWED",
});
static_assert(std::is_sorted(kReserved.begin(), kReserved.end()));

// Words that are names only in some places: the printer quotes them so they
// read back as names (a column called DATE, a function called "STEP").
constexpr auto kContextual = std::to_array<std::string_view>({
    "ROW",
    "VALUES",
    "FIRST",
    "LAST",
    "CURRENT",
    "UNBOUNDED",
    "CEIL",
    "CEILING",
    "CURRENT_DATE",
    "CURRENT_ROW_TIMESTAMP",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "CURSOR",
    "DATE",
    "EXTRACT",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "OVERLAY",
    "POSITION",
    "STEP",
    "SUBSTRING",
    "TABLE",
    "TIME",
    "TIMESTAMP",
    "TRIM",
    "STREAM",
    "FLOOR",
});

bool contains(std::string_view word, const auto& list) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool plain_word(const std::string& name) {
  if (name.empty()) return false;
  char c = name[0];
  if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
  for (char d : name) {
    bool ok = (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9') || d == '_' || d == '$' || d == '#';
    if (!ok) return false;
  }
  return true;
}

std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string string_literal(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string qualified(const QualifiedName& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (i > 0) out += '.';
    out += quote_name(name[i]);
  }
  return out;
}

// A function's name: quoted also when it is a word the parser reads as
// special syntax (POSITION(a IN b)) or as a niladic function.
std::string function_name(const FunctionCall& f) {
  // FLOOR(x), CEIL(x, ...) read back as calls; with DISTINCT, OVER or no
  // arguments only the quoted name does.
  const Star* star = f.args.empty() ? nullptr : f.args[0]->as<Star>();
  bool plain = !f.args.empty() && !(star && star->qualifier.empty()) &&
               f.quantifier == FunctionCall::Quantifier::kNone && f.nulls == FunctionCall::Nulls::kDefault &&
               f.from == FunctionCall::From::kDefault && !f.over;
  if (plain && (f.name == "FLOOR" || f.name == "CEIL" || f.name == "CEILING")) return f.name;
  if (contains(f.name, kContextual)) return quoted(f.name);
  return quote_name(f.name);
}

// Binding strength, loosest first; see docs/analytics-sql.md, "Operator precedence".
enum Prec { kPrecOr = 1, kPrecAnd, kPrecNot, kPrecCompare, kPrecConcat, kPrecAdd, kPrecMul, kPrecUnary, kPrecPrimary };

int binary_prec(Binary::Op op) {
  switch (op) {
    case Binary::Op::kOr: return kPrecOr;
    case Binary::Op::kAnd: return kPrecAnd;
    case Binary::Op::kEq:
    case Binary::Op::kNe:
    case Binary::Op::kLt:
    case Binary::Op::kLe:
    case Binary::Op::kGt:
    case Binary::Op::kGe: return kPrecCompare;
    case Binary::Op::kConcat: return kPrecConcat;
    case Binary::Op::kAdd:
    case Binary::Op::kSub: return kPrecAdd;
    case Binary::Op::kMul:
    case Binary::Op::kDiv:
    case Binary::Op::kMod: return kPrecMul;
  }
  return kPrecPrimary;
}

std::string_view binary_symbol(Binary::Op op) {
  switch (op) {
    case Binary::Op::kOr: return "OR";
    case Binary::Op::kAnd: return "AND";
    case Binary::Op::kEq: return "=";
    case Binary::Op::kNe: return "<>";
    case Binary::Op::kLt: return "<";
    case Binary::Op::kLe: return "<=";
    case Binary::Op::kGt: return ">";
    case Binary::Op::kGe: return ">=";
    case Binary::Op::kConcat: return "||";
    case Binary::Op::kAdd: return "+";
    case Binary::Op::kSub: return "-";
    case Binary::Op::kMul: return "*";
    case Binary::Op::kDiv: return "/";
    case Binary::Op::kMod: return "%";
  }
  return "?";
}

int prec_of(const Expr& e) {
  if (auto* b = e.as<Binary>()) return binary_prec(b->op);
  if (auto* u = e.as<Unary>()) return u->op == Unary::Op::kNot ? kPrecNot : kPrecUnary;
  if (e.as<IsTest>() || e.as<Between>() || e.as<InList>() || e.as<Like>()) return kPrecCompare;
  return kPrecPrimary;
}

class Printer {
 public:
  std::string expr(const Expr& e) {
    return std::visit([&](const auto& n) { return node(n); }, e.node);
  }

  // `e` as an operand that must bind at least as tightly as `min`.
  std::string operand(const Expr& e, int min) {
    std::string s = expr(e);
    return prec_of(e) < min ? "(" + s + ")" : s;
  }

  std::string list(const std::vector<Box<Expr>>& items) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ", ";
      out += expr(*items[i]);
    }
    return out;
  }

  std::string node(const Literal& l) {
    switch (l.kind) {
      case Literal::Kind::kNull: return "NULL";
      case Literal::Kind::kTrue: return "TRUE";
      case Literal::Kind::kFalse: return "FALSE";
      case Literal::Kind::kUnknown: return "UNKNOWN";
      case Literal::Kind::kExact:
      case Literal::Kind::kApproximate: return l.text;
      case Literal::Kind::kString: return string_literal(l.text);
      case Literal::Kind::kBinary: return "X'" + l.text + "'";
      case Literal::Kind::kDate: return "DATE " + string_literal(l.text);
      case Literal::Kind::kTime: return "TIME " + string_literal(l.text);
      case Literal::Kind::kTimestamp: return "TIMESTAMP " + string_literal(l.text);
      case Literal::Kind::kInterval:
        return std::string("INTERVAL ") + (l.negative ? "-" : "") + string_literal(l.text) + " " +
               qualifier(l.qualifier);
    }
    return "NULL";
  }
  std::string node(const ColumnRef& c) { return qualified(c.name); }
  std::string node(const Star& s) { return s.qualifier.empty() ? "*" : qualified(s.qualifier) + ".*"; }
  std::string node(const Unary& u) {
    if (u.op == Unary::Op::kNot) return "NOT " + operand(*u.operand, kPrecNot);
    std::string inner = operand(*u.operand, kPrecUnary);
    std::string sign = u.op == Unary::Op::kMinus ? "-" : "+";
    // "- -x", not "--x", which would start a comment.
    if (!inner.empty() && (inner[0] == '-' || inner[0] == '+')) sign += ' ';
    return sign + inner;
  }
  std::string node(const Binary& b) {
    int p = binary_prec(b.op);
    return operand(*b.left, p) + " " + std::string(binary_symbol(b.op)) + " " + operand(*b.right, p + 1);
  }
  std::string node(const IsTest& t) {
    static constexpr std::array<std::string_view, 4> kWhat = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
    return operand(*t.operand, kPrecCompare) + (t.negated ? " IS NOT " : " IS ") +
           std::string(kWhat[static_cast<size_t>(t.what)]);
  }
  std::string node(const Between& b) {
    std::string out = operand(*b.operand, kPrecCompare) + (b.negated ? " NOT BETWEEN " : " BETWEEN ");
    if (b.mode == Between::Mode::kSymmetric) out += "SYMMETRIC ";
    if (b.mode == Between::Mode::kAsymmetric) out += "ASYMMETRIC ";
    return out + operand(*b.low, kPrecConcat) + " AND " + operand(*b.high, kPrecConcat);
  }
  std::string node(const InList& in) {
    std::string out = operand(*in.operand, kPrecCompare) + (in.negated ? " NOT IN (" : " IN (");
    out += in.subquery ? query(*in.subquery) : list(in.list);
    return out + ")";
  }
  std::string node(const Like& l) {
    std::string op = l.similar ? "SIMILAR TO" : "LIKE";
    std::string out =
        operand(*l.operand, kPrecCompare) + (l.negated ? " NOT " : " ") + op + " " + operand(*l.pattern, kPrecConcat);
    if (l.escape) out += " ESCAPE " + operand(*l.escape, kPrecConcat);
    return out;
  }
  std::string node(const Case& c) {
    std::string out = "CASE";
    if (c.operand) out += " " + expr(*c.operand);
    for (const CaseWhen& w : c.whens) out += " WHEN " + expr(*w.condition) + " THEN " + expr(*w.result);
    if (c.otherwise) out += " ELSE " + expr(*c.otherwise);
    return out + " END";
  }
  std::string node(const Cast& c) { return "CAST(" + expr(*c.operand) + " AS " + type(c.type) + ")"; }
  std::string node(const FunctionCall& f) {
    if (f.niladic) return f.name;
    std::string out = function_name(f) + "(";
    if (f.quantifier == FunctionCall::Quantifier::kDistinct) out += "DISTINCT ";
    if (f.quantifier == FunctionCall::Quantifier::kAll) out += "ALL ";
    out += list(f.args) + ")";
    if (f.from == FunctionCall::From::kFirst) out += " FROM FIRST";
    if (f.from == FunctionCall::From::kLast) out += " FROM LAST";
    if (f.nulls == FunctionCall::Nulls::kIgnore) out += " IGNORE NULLS";
    if (f.nulls == FunctionCall::Nulls::kRespect) out += " RESPECT NULLS";
    if (f.over) out += " OVER " + over(*f.over);
    return out;
  }
  std::string node(const FloorCeil& f) {
    // FLOOR(x + INTERVAL '1' DAY TO SECOND) would read as an interval DAY TO
    // SECOND: an operand that ends in an open interval qualifier goes in
    // parentheses.
    std::string operand = expr(*f.operand);
    if (ends_in_open_interval(*f.operand)) operand = "(" + operand + ")";
    return std::string(f.ceil ? "CEIL(" : "FLOOR(") + operand + " TO " + std::string(time_unit_name(f.unit)) + ")";
  }

  // True when the print of `e` ends with an interval qualifier that a
  // following TO would extend.
  static bool ends_in_open_interval(const Expr& e) {
    if (auto* l = e.as<Literal>()) return l->kind == Literal::Kind::kInterval && !l->qualifier.end;
    if (auto* i = e.as<IntervalOf>()) return !i->qualifier.end;
    if (auto* b = e.as<Binary>()) return ends_in_open_interval(*b->right);
    if (auto* u = e.as<Unary>()) return ends_in_open_interval(*u->operand);
    if (auto* b = e.as<Between>()) return ends_in_open_interval(*b->high);
    if (auto* l = e.as<Like>()) return ends_in_open_interval(l->escape ? *l->escape : *l->pattern);
    return false;
  }
  std::string node(const Step& s) { return "STEP(" + expr(*s.operand) + " BY " + expr(*s.width) + ")"; }
  std::string node(const Extract& e) {
    return "EXTRACT(" + std::string(time_unit_name(e.unit)) + " FROM " + expr(*e.operand) + ")";
  }
  // The operands of IN, FROM, FOR and PLACING inside these calls are read at
  // the additive level, so anything looser is parenthesized.
  std::string node(const Position& p) {
    return "POSITION(" + operand(*p.needle, kPrecConcat) + " IN " + expr(*p.haystack) + ")";
  }
  std::string node(const Substring& s) {
    if (s.similar) {
      // The pattern is followed by ESCAPE, which a LIKE without one would take.
      std::string pattern = expr(*s.start);
      if (ends_in_open_like(*s.start)) pattern = "(" + pattern + ")";
      return "SUBSTRING(" + expr(*s.operand) + " SIMILAR " + pattern + " ESCAPE " + expr(*s.length) + ")";
    }
    std::string out = "SUBSTRING(" + expr(*s.operand) + " FROM " + expr(*s.start);
    if (s.length) out += " FOR " + expr(*s.length);
    return out + ")";
  }

  // True when the print of `e` ends with a [NOT] LIKE or SIMILAR TO that has
  // no ESCAPE yet.
  static bool ends_in_open_like(const Expr& e) {
    if (auto* l = e.as<Like>()) return !l->escape;
    if (auto* b = e.as<Binary>()) return ends_in_open_like(*b->right);
    if (auto* u = e.as<Unary>()) return ends_in_open_like(*u->operand);
    return false;
  }
  std::string node(const Overlay& o) {
    std::string out = "OVERLAY(" + expr(*o.operand) + " PLACING " + expr(*o.placing) + " FROM " + expr(*o.start);
    if (o.length) out += " FOR " + expr(*o.length);
    return out + ")";
  }
  std::string node(const Trim& t) {
    static constexpr std::array<std::string_view, 3> kSide = {"BOTH", "LEADING", "TRAILING"};
    std::string out = "TRIM(" + std::string(kSide[static_cast<size_t>(t.side)]) + " ";
    if (t.characters) out += expr(*t.characters) + " ";
    return out + "FROM " + expr(*t.operand) + ")";
  }
  std::string node(const IntervalOf& i) { return "(" + expr(*i.operand) + ") " + qualifier(i.qualifier); }
  std::string node(const FieldOf& f) { return expr(*f.operand) + "." + quote_name(f.field); }
  std::string node(const SubqueryExpr& s) {
    switch (s.kind) {
      case SubqueryExpr::Kind::kScalar: return "(" + query(*s.query) + ")";
      case SubqueryExpr::Kind::kExists: return "EXISTS (" + query(*s.query) + ")";
      case SubqueryExpr::Kind::kCursor: return "CURSOR(" + query(*s.query) + ")";
    }
    return "";
  }

  std::string qualifier(const IntervalQualifier& q) {
    std::string out(time_unit_name(q.start));
    bool fraction_on_start = !q.end && q.fraction_precision;
    if (q.start_precision) {
      out += "(" + std::to_string(*q.start_precision);
      if (fraction_on_start) out += ", " + std::to_string(*q.fraction_precision);
      out += ")";
    }
    if (q.end) {
      out += " TO " + std::string(time_unit_name(*q.end));
      if (q.fraction_precision) out += "(" + std::to_string(*q.fraction_precision) + ")";
    }
    return out;
  }

  std::string type(const DataType& t) {
    auto with = [&](std::string_view name) {
      std::string out(name);
      if (t.precision) {
        out += "(" + std::to_string(*t.precision);
        if (t.scale) out += ", " + std::to_string(*t.scale);
        out += ")";
      }
      return out;
    };
    switch (t.kind) {
      case DataType::Kind::kBoolean: return "BOOLEAN";
      case DataType::Kind::kTinyint: return "TINYINT";
      case DataType::Kind::kSmallint: return "SMALLINT";
      case DataType::Kind::kInteger: return "INTEGER";
      case DataType::Kind::kBigint: return "BIGINT";
      case DataType::Kind::kReal: return "REAL";
      case DataType::Kind::kDouble: return "DOUBLE";
      case DataType::Kind::kFloat: return with("FLOAT");
      case DataType::Kind::kDecimal: return with("DECIMAL");
      case DataType::Kind::kChar: return with("CHAR");
      case DataType::Kind::kVarchar: return with("VARCHAR");
      case DataType::Kind::kBinary: return with("BINARY");
      case DataType::Kind::kVarbinary: return with("VARBINARY");
      case DataType::Kind::kDate: return "DATE";
      case DataType::Kind::kTime: return with("TIME");
      case DataType::Kind::kTimestamp: return with("TIMESTAMP");
      case DataType::Kind::kInterval: return "INTERVAL " + qualifier(t.interval);
    }
    return "";
  }

  std::string order(const std::vector<OrderItem>& items) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ", ";
      out += expr(*items[i].expr);
      if (items[i].descending) out += " DESC";
    }
    return out;
  }

  std::string bound(const FrameBound& b) {
    switch (b.kind) {
      case FrameBound::Kind::kUnboundedPreceding: return "UNBOUNDED PRECEDING";
      case FrameBound::Kind::kPreceding: return operand(*b.offset, kPrecAdd) + " PRECEDING";
      case FrameBound::Kind::kCurrentRow: return "CURRENT ROW";
      case FrameBound::Kind::kFollowing: return operand(*b.offset, kPrecAdd) + " FOLLOWING";
      case FrameBound::Kind::kUnboundedFollowing: return "UNBOUNDED FOLLOWING";
    }
    return "";
  }

  std::string window(const WindowSpec& w) {
    std::vector<std::string> parts;
    if (w.base) parts.push_back(quote_name(*w.base));
    if (!w.partition_by.empty()) parts.push_back("PARTITION BY " + list(w.partition_by));
    if (!w.order_by.empty()) parts.push_back("ORDER BY " + order(w.order_by));
    if (w.frame) {
      std::string f = w.frame->rows ? "ROWS " : "RANGE ";
      if (w.frame->end) {
        f += "BETWEEN " + bound(w.frame->start) + " AND " + bound(*w.frame->end);
      } else {
        f += bound(w.frame->start);
      }
      parts.push_back(f);
    }
    std::string out = "(";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += " ";
      out += parts[i];
    }
    return out + ")";
  }

  std::string over(const Over& o) { return o.name ? quote_name(*o.name) : window(*o.spec); }

  std::string alias(const std::optional<std::string>& a) { return a ? " AS " + quote_name(*a) : ""; }
  std::string alias(const std::optional<std::string>& a, const std::vector<std::string>& columns) {
    std::string out = alias(a);
    if (columns.empty()) return out;
    out += " (";
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out += ", ";
      out += quote_name(columns[i]);
    }
    return out + ")";
  }

  std::string from(const FromItem& f) {
    if (auto* t = f.as<TableRef>()) {
      std::string out = qualified(t->name);
      if (t->window) out += " OVER " + over(*t->window);
      return out + alias(t->alias);
    }
    if (auto* d = f.as<DerivedTable>()) return "(" + query(*d->query) + ")" + alias(d->alias, d->columns);
    if (auto* t = f.as<TableFunction>()) return "TABLE(" + expr(*t->call) + ")" + alias(t->alias, t->columns);
    const Join& j = std::get<Join>(f.node);
    // The parser builds joins left-deep, and a comma join's right side may be
    // a JOIN chain (a, b JOIN c): neither needs parentheses.
    std::string right = from(*j.right);
    switch (j.kind) {
      case Join::Kind::kComma: return from(*j.left) + ", " + right;
      case Join::Kind::kCross: return from(*j.left) + " CROSS JOIN " + right;
      case Join::Kind::kInner: return from(*j.left) + " JOIN " + right + on(j);
      case Join::Kind::kLeft: return from(*j.left) + " LEFT JOIN " + right + on(j);
      case Join::Kind::kRight: return from(*j.left) + " RIGHT JOIN " + right + on(j);
      case Join::Kind::kFull: return from(*j.left) + " FULL JOIN " + right + on(j);
    }
    return "";
  }
  std::string on(const Join& j) { return j.on ? " ON " + expr(*j.on) : ""; }

  std::string select(const Select& s) {
    std::string out = s.stream ? "SELECT STREAM " : "SELECT ";
    if (s.quantifier == FunctionCall::Quantifier::kDistinct) out += "DISTINCT ";
    if (s.quantifier == FunctionCall::Quantifier::kAll) out += "ALL ";
    for (size_t i = 0; i < s.items.size(); ++i) {
      if (i > 0) out += ", ";
      out += expr(*s.items[i].expr) + alias(s.items[i].alias);
    }
    if (s.from) out += " FROM " + from(*s.from);
    if (s.where) out += " WHERE " + expr(*s.where);
    if (!s.group_by.empty()) out += " GROUP BY " + list(s.group_by);
    if (s.stagger) {
      out += " WINDOWED BY STAGGER (PARTITION BY " + list(s.stagger->partition_by) + " RANGE " +
             operand(*s.stagger->range, kPrecAdd) + ")";
    }
    if (s.having) out += " HAVING " + expr(*s.having);
    for (size_t i = 0; i < s.windows.size(); ++i) {
      out += i == 0 ? " WINDOW " : ", ";
      out += quote_name(s.windows[i].name) + " AS " + window(s.windows[i].spec);
    }
    return out;
  }

  static int set_prec(const Query& q) {
    auto* op = std::get_if<SetOperation>(&q.body);
    if (!op) return 3;
    return op->op == SetOperation::Op::kIntersect ? 2 : 1;
  }

  // A query as an operand of a set operation of precedence `prec`:
  // parenthesized when it has its own ORDER BY, when it binds more loosely,
  // or when it binds as loosely and sits on the right (all read left to right).
  std::string set_side(const Query& q, int prec, bool right) {
    std::string s = query(q);
    int p = set_prec(q);
    bool wrap = !q.order_by.empty() || p < prec || (right && p == prec);
    return wrap ? "(" + s + ")" : s;
  }

  std::string query(const Query& q) {
    std::string out;
    if (auto* s = q.select()) {
      out = select(*s);
    } else if (auto* v = std::get_if<Values>(&q.body)) {
      out = "VALUES ";
      for (size_t i = 0; i < v->rows.size(); ++i) {
        if (i > 0) out += ", ";
        out += "(" + list(v->rows[i]) + ")";
      }
    } else {
      const SetOperation& op = std::get<SetOperation>(q.body);
      static constexpr std::array<std::string_view, 3> kOps = {" UNION ", " EXCEPT ", " INTERSECT "};
      std::string word(kOps[static_cast<size_t>(op.op)]);
      if (op.quantifier == SetOperation::Quantifier::kAll) word += "ALL ";
      if (op.quantifier == SetOperation::Quantifier::kDistinct) word += "DISTINCT ";
      int prec = set_prec(q);
      out = set_side(*op.left, prec, false) + word + set_side(*op.right, prec, true);
    }
    if (!q.order_by.empty()) out += " ORDER BY " + order(q.order_by);
    return out;
  }

  std::string target(const QualifiedName& name, const std::vector<std::string>& columns) {
    std::string out = qualified(name);
    if (columns.empty()) return out;
    out += " (";
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out += ", ";
      out += quote_name(columns[i]);
    }
    return out + ")";
  }

  std::string function(const CreateFunction& f) {
    std::string out = f.or_replace ? "CREATE OR REPLACE FUNCTION " : "CREATE FUNCTION ";
    out += qualified(f.name) + "(";
    for (size_t i = 0; i < f.parameters.size(); ++i) {
      if (i > 0) out += ", ";
      out += quote_name(f.parameters[i].name) + " " + type(f.parameters[i].type);
    }
    out += ") RETURNS " + type(f.returns);
    if (f.language_sql) out += " LANGUAGE SQL";
    if (f.specific) out += " SPECIFIC " + quote_name(*f.specific);
    if (f.deterministic) out += *f.deterministic ? " DETERMINISTIC" : " NOT DETERMINISTIC";
    if (f.contains_sql) out += " CONTAINS SQL";
    if (f.reads_sql_data) out += " READS SQL DATA";
    if (f.modifies_sql_data) out += " MODIFIES SQL DATA";
    if (f.returns_null_on_null)
      out += *f.returns_null_on_null ? " RETURNS NULL ON NULL INPUT" : " CALLED ON NULL INPUT";
    return out + " RETURN " + expr(*f.body);
  }

  std::string description(const std::optional<std::string>& d) { return d ? " DESCRIPTION " + string_literal(*d) : ""; }

  std::string statement(const Statement& s) {
    if (auto* c = s.as<CreateStream>()) {
      std::string out = c->or_replace ? "CREATE OR REPLACE STREAM " : "CREATE STREAM ";
      out += qualified(c->name) + " (";
      for (size_t i = 0; i < c->columns.size(); ++i) {
        if (i > 0) out += ", ";
        out += quote_name(c->columns[i].name) + " " + type(c->columns[i].type);
      }
      return out + ")" + description(c->description);
    }
    if (auto* p = s.as<CreatePump>()) {
      std::string out = p->or_replace ? "CREATE OR REPLACE PUMP " : "CREATE PUMP ";
      out += qualified(p->name) + description(p->description) + " AS INSERT INTO " + target(p->target, p->columns);
      return out + " " + query(p->query);
    }
    if (auto* f = s.as<CreateFunction>()) return function(*f);
    if (auto* i = s.as<Insert>()) return "INSERT INTO " + target(i->target, i->columns) + " " + query(i->query);
    return query(std::get<Query>(s.node));
  }
};

}  // namespace

bool is_reserved_word(std::string_view upper) { return std::binary_search(kReserved.begin(), kReserved.end(), upper); }

std::string quote_name(const std::string& name) {
  if (plain_word(name) && !is_reserved_word(name) && !contains(name, kContextual)) return name;
  return quoted(name);
}

std::string_view time_unit_name(TimeUnit u) {
  switch (u) {
    case TimeUnit::kYear: return "YEAR";
    case TimeUnit::kQuarter: return "QUARTER";
    case TimeUnit::kMonth: return "MONTH";
    case TimeUnit::kWeek: return "WEEK";
    case TimeUnit::kDay: return "DAY";
    case TimeUnit::kHour: return "HOUR";
    case TimeUnit::kMinute: return "MINUTE";
    case TimeUnit::kSecond: return "SECOND";
    case TimeUnit::kMillisecond: return "MILLISECOND";
    case TimeUnit::kMicrosecond: return "MICROSECOND";
  }
  return "SECOND";
}

std::string to_sql(const Program& p) {
  std::string out;
  for (const Statement& s : p.statements) out += Printer().statement(s) + ";\n";
  return out;
}
std::string to_sql(const Statement& s) { return Printer().statement(s); }
std::string to_sql(const Query& q) { return Printer().query(q); }
std::string to_sql(const Expr& e) { return Printer().expr(e); }

void for_each_child(const Expr& e, const std::function<void(const Expr&)>& f) {
  auto visit = [&](const Box<Expr>& b) {
    if (b) f(*b);
  };
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, FunctionCall>) {
          for (const auto& a : n.args) visit(a);
        } else if constexpr (std::is_same_v<T, Unary> || std::is_same_v<T, IsTest> || std::is_same_v<T, Cast> ||
                             std::is_same_v<T, FloorCeil> || std::is_same_v<T, IntervalOf> ||
                             std::is_same_v<T, Extract> || std::is_same_v<T, FieldOf>) {
          visit(n.operand);
        } else if constexpr (std::is_same_v<T, Binary>) {
          visit(n.left);
          visit(n.right);
        } else if constexpr (std::is_same_v<T, Between>) {
          visit(n.operand);
          visit(n.low);
          visit(n.high);
        } else if constexpr (std::is_same_v<T, Step>) {
          visit(n.operand);
          visit(n.width);
        } else if constexpr (std::is_same_v<T, InList>) {
          visit(n.operand);
          for (const auto& a : n.list) visit(a);
        } else if constexpr (std::is_same_v<T, Like>) {
          visit(n.operand);
          visit(n.pattern);
          visit(n.escape);
        } else if constexpr (std::is_same_v<T, Case>) {
          visit(n.operand);
          for (const auto& w : n.whens) {
            visit(w.condition);
            visit(w.result);
          }
          visit(n.otherwise);
        } else if constexpr (std::is_same_v<T, Position>) {
          visit(n.needle);
          visit(n.haystack);
        } else if constexpr (std::is_same_v<T, Substring>) {
          visit(n.operand);
          visit(n.start);
          visit(n.length);
        } else if constexpr (std::is_same_v<T, Overlay>) {
          visit(n.operand);
          visit(n.placing);
          visit(n.start);
          visit(n.length);
        } else if constexpr (std::is_same_v<T, Trim>) {
          visit(n.characters);
          visit(n.operand);
        }
      },
      e.node);
}
std::string to_sql(const DataType& t) { return Printer().type(t); }

}  // namespace runnel::sql::ast
