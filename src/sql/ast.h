#pragma once
// The syntax tree of a Kinesis Data Analytics (KDA) SQL program, as the
// parser (sql/parser.h) builds it: statements, queries, expressions and
// types, each node with the position of its first token. It says what was
// written, resolves nothing: names are not looked up, types not checked.
//
// Names: an unquoted identifier is stored folded to upper case, a "quoted"
// one as written, so `price` and "PRICE" are the same name and "price" is
// another (SQLstream's rule, which KDA kept).
//
// Equality (operator==) is structural: two trees are equal when they say the
// same thing, wherever their text sat (positions are not compared). to_sql()
// prints a normalized form that parses back to an equal tree.
//
// Threads: plain values; no shared state.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sql/lexer.h"

namespace runnel::sql::ast {

// A node's position: where its first token starts. Not part of a node's
// identity, so it always compares equal (see the file comment).
struct Pos {
  int line = 0;
  int column = 0;
  Pos() = default;
  Pos(SourcePos p) : line(p.line), column(p.column) {}  // NOLINT: positions convert freely
  friend bool operator==(const Pos&, const Pos&) { return true; }
};

// An owning pointer to a child node that copies deeply and compares by value.
template <class T>
class Box {
 public:
  Box() = default;
  Box(T value) : p_(std::make_unique<T>(std::move(value))) {}  // NOLINT: boxing is implicit
  Box(const Box& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Box(Box&&) noexcept = default;
  Box& operator=(const Box& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Box& operator=(Box&&) noexcept = default;
  ~Box() = default;

  T& operator*() const { return *p_; }
  T* operator->() const { return p_.get(); }
  T* get() const { return p_.get(); }
  explicit operator bool() const { return p_ != nullptr; }
  friend bool operator==(const Box& a, const Box& b) {
    if (!a.p_ || !b.p_) return !a.p_ && !b.p_;
    return *a.p_ == *b.p_;
  }

 private:
  std::unique_ptr<T> p_;
};

struct Expr;
struct Query;

// A possibly qualified name: {"S", "ROWTIME"} for "S".ROWTIME.
using QualifiedName = std::vector<std::string>;

// ---- Types -------------------------------------------------------------

// The units of interval qualifiers, EXTRACT, FLOOR/CEIL(x TO unit).
enum class TimeUnit { kYear, kQuarter, kMonth, kWeek, kDay, kHour, kMinute, kSecond, kMillisecond, kMicrosecond };

// YEAR, DAY(3), MINUTE TO SECOND, SECOND(2, 3), DAY TO SECOND(3).
struct IntervalQualifier {
  TimeUnit start = TimeUnit::kSecond;
  std::optional<int> start_precision;     // DAY(3)
  std::optional<TimeUnit> end;            // TO SECOND
  std::optional<int> fraction_precision;  // SECOND(2, 3) or TO SECOND(3)
  bool operator==(const IntervalQualifier&) const = default;
};

struct DataType {
  enum class Kind {
    kBoolean,
    kTinyint,
    kSmallint,
    kInteger,
    kBigint,
    kReal,
    kDouble,
    kFloat,
    kDecimal,
    kChar,
    kVarchar,
    kBinary,
    kVarbinary,
    kDate,
    kTime,
    kTimestamp,
    kInterval,
  };
  Pos pos;
  Kind kind = Kind::kInteger;
  // CHAR/VARCHAR/BINARY/VARBINARY: the length; DECIMAL: the precision;
  // TIME/TIMESTAMP: the fractional seconds precision; FLOAT: its precision.
  std::optional<int> precision;
  std::optional<int> scale;    // DECIMAL(p, s)
  IntervalQualifier interval;  // kInterval only
  bool operator==(const DataType&) const = default;
};

// ---- Expressions -------------------------------------------------------

struct Literal {
  enum class Kind {
    kNull,
    kTrue,
    kFalse,
    kUnknown,
    kExact,        // 12, 1.50: text as written
    kApproximate,  // 1.5E3: text as written
    kString,       // text is the value
    kBinary,       // text is the hex digits
    kDate,         // DATE '2018-08-01': text is the quoted part
    kTime,
    kTimestamp,
    kInterval,  // INTERVAL '1:30' MINUTE TO SECOND: text '1:30', qualifier
  };
  Kind kind = Kind::kNull;
  std::string text;
  bool negative = false;        // kInterval only: INTERVAL -'5' DAY
  IntervalQualifier qualifier;  // kInterval only
  bool operator==(const Literal&) const = default;
};

// A column, or a stream's column: price, "S".ROWTIME, s."ticker".
struct ColumnRef {
  QualifiedName name;
  bool operator==(const ColumnRef&) const = default;
};

// * or t.* (in a select list, and as COUNT(*)'s argument).
struct Star {
  QualifiedName qualifier;  // empty for *
  bool operator==(const Star&) const = default;
};

struct Unary {
  enum class Op { kNot, kMinus, kPlus };
  Op op = Op::kNot;
  Box<Expr> operand;
  bool operator==(const Unary&) const = default;
};

struct Binary {
  enum class Op { kOr, kAnd, kEq, kNe, kLt, kLe, kGt, kGe, kConcat, kAdd, kSub, kMul, kDiv, kMod };
  Op op = Op::kAnd;
  Box<Expr> left;
  Box<Expr> right;
  bool operator==(const Binary&) const = default;
};

// x IS [NOT] NULL | TRUE | FALSE | UNKNOWN
struct IsTest {
  enum class What { kNull, kTrue, kFalse, kUnknown };
  Box<Expr> operand;
  What what = What::kNull;
  bool negated = false;
  bool operator==(const IsTest&) const = default;
};

// x [NOT] BETWEEN [SYMMETRIC | ASYMMETRIC] low AND high
struct Between {
  enum class Mode { kDefault, kSymmetric, kAsymmetric };
  Box<Expr> operand;
  Box<Expr> low;
  Box<Expr> high;
  bool negated = false;
  Mode mode = Mode::kDefault;
  bool operator==(const Between&) const = default;
};

// x [NOT] IN (a, b, ...) or x [NOT] IN (SELECT ...)
struct InList {
  Box<Expr> operand;
  std::vector<Box<Expr>> list;
  Box<Query> subquery;  // set instead of list for IN (SELECT ...)
  bool negated = false;
  bool operator==(const InList&) const = default;
};

// x [NOT] LIKE p [ESCAPE e] and x [NOT] SIMILAR TO p [ESCAPE e]
struct Like {
  Box<Expr> operand;
  Box<Expr> pattern;
  Box<Expr> escape;  // may be empty
  bool negated = false;
  bool similar = false;
  bool operator==(const Like&) const = default;
};

struct CaseWhen {
  Box<Expr> condition;  // the compared value in a simple CASE
  Box<Expr> result;
  bool operator==(const CaseWhen&) const = default;
};

// CASE [operand] WHEN .. THEN .. [ELSE ..] END
struct Case {
  Box<Expr> operand;  // empty for a searched CASE
  std::vector<CaseWhen> whens;
  Box<Expr> otherwise;  // may be empty
  bool operator==(const Case&) const = default;
};

struct Cast {
  Box<Expr> operand;
  DataType type;
  bool operator==(const Cast&) const = default;
};

// ---- Windows (sliding windows, joins, stagger) --------------------------

struct OrderItem {
  Pos pos;
  Box<Expr> expr;
  bool descending = false;
  bool operator==(const OrderItem&) const = default;
};

// One end of a window frame: UNBOUNDED PRECEDING, CURRENT ROW, n PRECEDING,
// INTERVAL '1' MINUTE PRECEDING, n FOLLOWING, UNBOUNDED FOLLOWING.
struct FrameBound {
  enum class Kind { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing, kUnboundedFollowing };
  Kind kind = Kind::kCurrentRow;
  Box<Expr> offset;  // kPreceding and kFollowing
  bool operator==(const FrameBound&) const = default;
};

// ROWS | RANGE bound, or ROWS | RANGE BETWEEN bound AND bound.
struct Frame {
  bool rows = false;  // ROWS (a count of rows) rather than RANGE (a span of ROWTIME)
  FrameBound start;
  std::optional<FrameBound> end;
  bool operator==(const Frame&) const = default;
};

// The body of OVER (...) and of WINDOW w AS (...).
struct WindowSpec {
  Pos pos;
  std::optional<std::string> base;  // OVER (w ...) refining a named window
  std::vector<Box<Expr>> partition_by;
  std::vector<OrderItem> order_by;
  std::optional<Frame> frame;
  bool operator==(const WindowSpec&) const = default;
};

// OVER w or OVER (...).
struct Over {
  std::optional<std::string> name;
  std::optional<WindowSpec> spec;  // exactly one of name and spec is set
  bool operator==(const Over&) const = default;
};

// fn(args), COUNT(*), COUNT(DISTINCT x), AVG(x) OVER w, FIRST_VALUE(x) IGNORE
// NULLS OVER w, NTH_VALUE(x, 2) FROM LAST OVER w, and the niladic
// CURRENT_ROW_TIMESTAMP, CURRENT_DATE, ...
struct FunctionCall {
  enum class Quantifier { kNone, kAll, kDistinct };
  enum class Nulls { kDefault, kIgnore, kRespect };
  enum class From { kDefault, kFirst, kLast };
  std::string name;  // upper case unless it was quoted
  std::vector<Box<Expr>> args;
  Quantifier quantifier = Quantifier::kNone;
  From from = From::kDefault;  // NTH_VALUE's FROM FIRST | FROM LAST
  Nulls nulls = Nulls::kDefault;
  std::optional<Over> over;
  bool niladic = false;  // written without parentheses
  bool operator==(const FunctionCall&) const = default;
};

// FLOOR(x TO unit) and CEIL(x TO unit); FLOOR(x) is a FunctionCall.
struct FloorCeil {
  bool ceil = false;
  Box<Expr> operand;
  TimeUnit unit = TimeUnit::kSecond;
  bool operator==(const FloorCeil&) const = default;
};

// STEP(x BY width): x rounded down to a multiple of width.
struct Step {
  Box<Expr> operand;
  Box<Expr> width;
  bool operator==(const Step&) const = default;
};

// EXTRACT(unit FROM x)
struct Extract {
  TimeUnit unit = TimeUnit::kSecond;
  Box<Expr> operand;
  bool operator==(const Extract&) const = default;
};

// POSITION(needle IN haystack)
struct Position {
  Box<Expr> needle;
  Box<Expr> haystack;
  bool operator==(const Position&) const = default;
};

// SUBSTRING(s FROM a [FOR b]), SUBSTRING(s, a [, b]) (the same node), and
// SUBSTRING(s SIMILAR p ESCAPE e) (similar set: `start` is the pattern and
// `length` the escape).
struct Substring {
  Box<Expr> operand;
  Box<Expr> start;
  Box<Expr> length;  // may be empty
  bool similar = false;
  bool operator==(const Substring&) const = default;
};

// OVERLAY(s PLACING r FROM a [FOR b])
struct Overlay {
  Box<Expr> operand;
  Box<Expr> placing;
  Box<Expr> start;
  Box<Expr> length;  // may be empty
  bool operator==(const Overlay&) const = default;
};

// TRIM([BOTH | LEADING | TRAILING] [chars] FROM s) and TRIM(s)
struct Trim {
  enum class Side { kBoth, kLeading, kTrailing };
  Side side = Side::kBoth;
  Box<Expr> characters;  // may be empty: a space
  Box<Expr> operand;
  bool operator==(const Trim&) const = default;
};

// (a - b) SECOND, (t1 - t2) DAY TO SECOND: the difference of two datetimes as
// an interval of the given qualifier (the SQL standard's form, which SQLstream
// kept). The operand is always a subtraction.
struct IntervalOf {
  Box<Expr> operand;
  IntervalQualifier qualifier;
  bool operator==(const IntervalOf&) const = default;
};

// (SELECT ...) as a value, EXISTS (SELECT ...), CURSOR(SELECT ...).
struct SubqueryExpr {
  enum class Kind { kScalar, kExists, kCursor };
  Kind kind = Kind::kScalar;
  Box<Query> query;
  bool operator==(const SubqueryExpr&) const = default;
};

// fn(...).FIELD: a field of a row-valued call (a log parser's result).
struct FieldOf {
  Box<Expr> operand;
  std::string field;
  bool operator==(const FieldOf&) const = default;
};

struct Expr {
  using Node =
      std::variant<Literal, ColumnRef, Star, Unary, Binary, IsTest, Between, InList, Like, Case, Cast, FunctionCall,
                   FloorCeil, Step, Extract, Position, Substring, Overlay, Trim, IntervalOf, FieldOf, SubqueryExpr>;
  Pos pos;
  Node node;
  bool operator==(const Expr&) const = default;

  template <class T>
  const T* as() const {
    return std::get_if<T>(&node);
  }
};

// ---- Queries -----------------------------------------------------------

struct SelectItem {
  Pos pos;
  Box<Expr> expr;
  std::optional<std::string> alias;  // AS name; "ROWTIME" for `expr AS ROWTIME`
  bool operator==(const SelectItem&) const = default;
};

struct FromItem;

// A stream or table, with an optional window (a join side) and alias.
struct TableRef {
  QualifiedName name;
  std::optional<Over> window;  // JOIN s OVER (RANGE INTERVAL '1' MINUTE PRECEDING)
  std::optional<std::string> alias;
  bool operator==(const TableRef&) const = default;
};

// (SELECT ...) [AS] alias [(column, ...)]
struct DerivedTable {
  Box<Query> query;
  std::optional<std::string> alias;
  std::vector<std::string> columns;  // AS l(r): names for the query's columns
  bool operator==(const DerivedTable&) const = default;
};

// TABLE(fn(CURSOR(SELECT STREAM ...), args)) [AS] alias [(column, ...)]
struct TableFunction {
  Box<Expr> call;  // a FunctionCall
  std::optional<std::string> alias;
  std::vector<std::string> columns;
  bool operator==(const TableFunction&) const = default;
};

// left [INNER | LEFT | RIGHT | FULL [OUTER] | CROSS] JOIN right [ON cond],
// and the comma join `FROM a, b`.
struct Join {
  enum class Kind { kInner, kLeft, kRight, kFull, kCross, kComma };
  Kind kind = Kind::kInner;
  Box<FromItem> left;
  Box<FromItem> right;
  Box<Expr> on;  // empty for CROSS and comma joins
  bool operator==(const Join&) const = default;
};

struct FromItem {
  using Node = std::variant<TableRef, DerivedTable, TableFunction, Join>;
  Pos pos;
  Node node;
  bool operator==(const FromItem&) const = default;

  template <class T>
  const T* as() const {
    return std::get_if<T>(&node);
  }
};

// WINDOWED BY STAGGER (PARTITION BY a, b RANGE INTERVAL '1' MINUTE)
struct StaggerWindow {
  Pos pos;
  std::vector<Box<Expr>> partition_by;
  Box<Expr> range;
  bool operator==(const StaggerWindow&) const = default;
};

// WINDOW name AS (spec)
struct NamedWindow {
  Pos pos;
  std::string name;
  WindowSpec spec;
  bool operator==(const NamedWindow&) const = default;
};

struct Select {
  Pos pos;
  bool stream = false;  // SELECT STREAM: a continuous query
  FunctionCall::Quantifier quantifier = FunctionCall::Quantifier::kNone;
  std::vector<SelectItem> items;
  Box<FromItem> from;  // may be empty (SELECT 1); several items are a comma Join
  Box<Expr> where;
  std::vector<Box<Expr>> group_by;
  std::optional<StaggerWindow> stagger;
  Box<Expr> having;
  std::vector<NamedWindow> windows;
  bool operator==(const Select&) const = default;
};

// left UNION | EXCEPT | INTERSECT [ALL | DISTINCT] right. INTERSECT binds
// tighter than UNION and EXCEPT; all read left to right.
struct SetOperation {
  enum class Op { kUnion, kExcept, kIntersect };
  enum class Quantifier { kDefault, kAll, kDistinct };
  Op op = Op::kUnion;
  Quantifier quantifier = Quantifier::kAll;
  Box<Query> left;
  Box<Query> right;
  bool operator==(const SetOperation&) const = default;
};

// VALUES (a, b), ROW(c, d), ...: rows given in the query.
struct Values {
  std::vector<std::vector<Box<Expr>>> rows;
  bool operator==(const Values&) const = default;
};

// A query: a SELECT, a set operation on queries or VALUES, with the ORDER BY
// that applies to the whole of it.
struct Query {
  using Body = std::variant<Select, SetOperation, Values>;
  Pos pos;
  Body body;
  std::vector<OrderItem> order_by;
  bool operator==(const Query&) const = default;

  const Select* select() const { return std::get_if<Select>(&body); }
};

// ---- Statements --------------------------------------------------------

struct ColumnDef {
  Pos pos;
  std::string name;
  DataType type;
  bool operator==(const ColumnDef&) const = default;
};

// CREATE [OR REPLACE] STREAM name (col TYPE, ...) [DESCRIPTION '...']
struct CreateStream {
  bool or_replace = false;
  QualifiedName name;
  std::vector<ColumnDef> columns;
  std::optional<std::string> description;
  bool operator==(const CreateStream&) const = default;
};

// CREATE [OR REPLACE] PUMP name [DESCRIPTION '...'] AS INSERT INTO stream
// [(cols)] query
struct CreatePump {
  bool or_replace = false;
  QualifiedName name;
  std::optional<std::string> description;
  QualifiedName target;
  std::vector<std::string> columns;
  Query query;
  bool operator==(const CreatePump&) const = default;
};

// INSERT INTO stream [(cols)] query, outside a pump.
struct Insert {
  QualifiedName target;
  std::vector<std::string> columns;
  Query query;
  bool operator==(const Insert&) const = default;
};

// CREATE [OR REPLACE] FUNCTION name (param TYPE, ...) RETURNS TYPE
// [characteristics] RETURN expr: a user-defined function written in SQL (the
// only kind KDA has). The characteristics may come in any order; they print
// in the order of the fields.
struct CreateFunction {
  bool or_replace = false;
  QualifiedName name;
  std::vector<ColumnDef> parameters;
  DataType returns;
  bool language_sql = false;                 // LANGUAGE SQL
  std::optional<std::string> specific;       // SPECIFIC name
  std::optional<bool> deterministic;         // [NOT] DETERMINISTIC
  bool contains_sql = false;                 // CONTAINS SQL
  bool reads_sql_data = false;               // READS SQL DATA
  bool modifies_sql_data = false;            // MODIFIES SQL DATA
  std::optional<bool> returns_null_on_null;  // RETURNS NULL ON NULL INPUT (true) | CALLED ON NULL INPUT
  Box<Expr> body;
  bool operator==(const CreateFunction&) const = default;
};

struct Statement {
  using Node = std::variant<CreateStream, CreatePump, CreateFunction, Insert, Query>;
  Pos pos;
  Node node;
  bool operator==(const Statement&) const = default;

  template <class T>
  const T* as() const {
    return std::get_if<T>(&node);
  }
};

struct Program {
  std::vector<Statement> statements;
  bool operator==(const Program&) const = default;
};

// ---- Printing ----------------------------------------------------------

// The normalized SQL text of a node: keywords in upper case, one space
// between tokens, names quoted only where needed ("Mixed", reserved words),
// parentheses only where precedence needs them. Parsing it gives back an
// equal tree.
std::string to_sql(const Program& p);
std::string to_sql(const Statement& s);
std::string to_sql(const Query& q);
std::string to_sql(const Expr& e);

// Calls `f` with each expression directly inside `e` (operands, arguments,
// CASE arms, ...), not with those of subqueries.
void for_each_child(const Expr& e, const std::function<void(const Expr&)>& f);
std::string to_sql(const DataType& t);

// A name as SQL text: bare if it reads back the same (upper case, not a
// reserved word), else "quoted" with "" escapes.
std::string quote_name(const std::string& name);

std::string_view time_unit_name(TimeUnit u);

// True for the words the parser reserves: they cannot be a bare name or an
// alias without quotes (SELECT, FROM, WHERE, JOIN, ON, ...).
bool is_reserved_word(std::string_view upper);

}  // namespace runnel::sql::ast
