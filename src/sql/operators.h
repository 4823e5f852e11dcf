#pragma once
// The push-based operators a compiled application is made of (engine.h).
// Rows flow from an in-application stream through a pump's operators into
// the stream the pump inserts into; time (a ROWTIME bound: no later row on
// this path will have a smaller ROWTIME) flows the same way, so windows
// close even when no row arrives.
//
// Threads: the engine's thread only.

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sql/engine.h"
#include "sql/expr.h"

namespace runnel::sql {

// Where an operator reports a row it could not process: the pump's name
// and the engine's error_stream.
struct PumpContext {
  std::string name;
  std::function<void(const SqlError&, int64_t data_rowtime, const Row* data_row, const std::string& pump)> error;
  void fail(const SqlError& e, int64_t rowtime, const Row* row) const { error(e, rowtime, row, name); }
};

class Operator {
 public:
  virtual ~Operator() = default;
  virtual void push(int64_t rowtime, const Row& row) = 0;
  // No row with a ROWTIME below `bound` will come on this path any more.
  virtual void advance(int64_t bound) { forward_advance(bound); }

  void set_next(Operator* next) { next_ = next; }
  Operator* next() const { return next_; }

 protected:
  void forward_advance(int64_t bound) {
    if (next_ != nullptr) next_->advance(bound);
  }
  Operator* next_ = nullptr;
};

// WHERE, then the select list (and `expr AS ROWTIME`).
class ProjectOp final : public Operator {
 public:
  ProjectOp(const PumpContext* ctx, ExprPtr where, std::vector<ExprPtr> items, ExprPtr rowtime)
      : ctx_(ctx), where_(std::move(where)), items_(std::move(items)), rowtime_(std::move(rowtime)) {}
  void push(int64_t rowtime, const Row& row) override;
  // With `expr AS ROWTIME` the output's time is the rows' own: no bound
  // follows from the input's.
  void advance(int64_t bound) override {
    if (!rowtime_) forward_advance(bound);
  }

 private:
  const PumpContext* ctx_;
  ExprPtr where_;
  std::vector<ExprPtr> items_;
  ExprPtr rowtime_;  // may be null: the input's ROWTIME
  Row out_;
};

// A stream joined with a reference table: every table row for which `on`
// holds is appended to the stream row; LEFT keeps a stream row without a
// match, with NULLs.
class TableJoinOp final : public Operator {
 public:
  TableJoinOp(const PumpContext* ctx, const std::vector<Row>* table, size_t table_width, ExprPtr on, bool left_outer,
              bool table_first)
      : ctx_(ctx),
        table_(table),
        width_(table_width),
        on_(std::move(on)),
        left_outer_(left_outer),
        table_first_(table_first) {}
  void push(int64_t rowtime, const Row& row) override;

 private:
  const PumpContext* ctx_;
  const std::vector<Row>* table_;
  size_t width_;
  ExprPtr on_;
  bool left_outer_;
  bool table_first_;  // the table's columns come first in the joined row
  Row joined_;
};

// Two streams joined, one side or both with a window: `FROM a JOIN b OVER
// (RANGE INTERVAL '1' MINUTE PRECEDING) ON ...`, or a window on each side.
// A windowed side's rows are kept for the window's length. Each arriving
// row (of either side) is joined with the other side's kept rows whose
// ROWTIME is within that side's window before (or at) its own, and the
// result has its ROWTIME; so each pair is made once, by its later row. A
// side without a window keeps nothing: its rows only match earlier rows of
// the other. OUTER joins keep a side's unmatched rows with NULLs: at once
// for a side without a window (nothing can match it later), at the end of
// its window for a windowed side (KDA's emission at the window's end).
class StreamJoinOp final : public Operator {
 public:
  struct Side {
    std::optional<int64_t> range_ms;  // the side's window, if it has one
    size_t width = 0;                 // its columns
    bool outer = false;               // keep its unmatched rows (LEFT / RIGHT / FULL)
  };
  StreamJoinOp(const PumpContext* ctx, Side left, Side right, ExprPtr on)
      : ctx_(ctx), sides_{std::move(left), std::move(right)}, on_(std::move(on)) {}
  // Where the left (0) and right (1) sides push their rows and bounds.
  Operator* input(int side) { return &inputs_[side]; }
  void push(int64_t rowtime, const Row& row) override { arrive(0, rowtime, row); }
  void advance(int64_t bound) override { side_bound(0, bound); }

 private:
  class Input final : public Operator {
   public:
    Input(StreamJoinOp* j, int side) : join_(j), side_(side) {}
    void push(int64_t rowtime, const Row& row) override { join_->arrive(side_, rowtime, row); }
    void advance(int64_t bound) override { join_->side_bound(side_, bound); }

   private:
    StreamJoinOp* join_;
    int side_;
  };
  struct Kept {
    int64_t rowtime = 0;
    Row row;
    bool matched = false;
  };
  void arrive(int side, int64_t rowtime, const Row& row);
  void side_bound(int side, int64_t bound);
  // Drops kept rows whose window ended before `now`, emitting the
  // unmatched rows of an outer side, in the order their windows end.
  void expire(int64_t now);
  void build(int side, const Row* mine, const Row* other);
  void emit_unmatched(int side, int64_t rowtime, const Row& row);

  const PumpContext* ctx_;
  Side sides_[2];
  ExprPtr on_;
  std::deque<Kept> kept_[2];
  int64_t bounds_[2] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::min()};
  int64_t forwarded_ = std::numeric_limits<int64_t>::min();
  Row joined_;
  Input inputs_[2] = {Input(this, 0), Input(this, 1)};
};

// The table functions TOP_K_ITEMS_TUMBLING(cursor, 'column', k, seconds)
// and COUNT_DISTINCT_ITEMS_TUMBLING(cursor, 'column', seconds): per tumbling
// window of ROWTIME, the k most frequent values of a column with their
// counts (exact here), or the number of distinct values (exact up to 10,000,
// then a HyperLogLog estimate). Emitted when the window ends, with its end
// as ROWTIME.
class TumblingItemsOp final : public Operator {
 public:
  enum class Mode : uint8_t { kTopK, kCountDistinct };
  TumblingItemsOp(Mode mode, size_t column, int64_t k, int64_t window_ms)
      : mode_(mode), column_(column), k_(k), window_ms_(window_ms) {}
  void push(int64_t rowtime, const Row& row) override;
  void advance(int64_t bound) override;

  static constexpr size_t kExactDistinct = 10'000;

 private:
  void flush();
  void add_to_sketch(const Value& v);

  Mode mode_;
  size_t column_;
  int64_t k_;
  int64_t window_ms_;
  bool open_ = false;
  int64_t start_ = 0;
  std::unordered_map<Row, std::pair<int64_t, size_t>, RowKeyHash, RowKeyEqual> counts_;  // value → (count, first seen)
  std::vector<uint8_t> registers_;  // HyperLogLog, once past kExactDistinct
};

// One aggregate of a GROUP BY query.
struct AggregateSpec {
  enum class Kind : uint8_t { kCount, kCountStar, kSum, kAvg, kMin, kMax, kStddevPop, kStddevSamp, kVarPop, kVarSamp };
  Kind kind = Kind::kCount;
  bool distinct = false;
  ExprPtr arg;           // null for COUNT(*)
  SqlType type;          // the result's type
  BoundFunction add;     // SUM/AVG: "+" on the argument's type
  BoundFunction divide;  // AVG: "/" of the sum by a BIGINT count
};

// A tumbling window (or a stagger window, below): GROUP BY keys one of which is a monotonic expression of
// ROWTIME (the bucket). The groups of a bucket are emitted, in the order
// their first rows arrived (or by ORDER BY), once ROWTIME reaches the next
// bucket; their ROWTIME is the bucket's end.
class TumblingAggregateOp final : public Operator {
 public:
  struct Bucket {
    // kTime: STEP/FLOOR of ROWTIME, a bucket of known width.
    // kRowtimeExpression: another monotonic expression of ROWTIME alone
    //   (`FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO
    //   SECOND)`); a window ends at the first millisecond where its value
    //   changes, found by bisection, so the clock closes it too.
    // kMonotonic: MONOTONIC(expr) of the row's columns; a window ends when a
    //   row with another value arrives, at that row's ROWTIME.
    enum class Kind : uint8_t { kTime, kRowtimeExpression, kMonotonic };
    Kind kind = Kind::kTime;
    size_t key_index = 0;  // which key is the bucket
    // The bucket's end from its start: start + width_ms, or for calendar
    // units (MONTH and longer) start + months.
    int64_t width_ms = 0;
    int months = 0;
  };
  TumblingAggregateOp(const PumpContext* ctx, ExprPtr where, std::vector<ExprPtr> keys, Bucket bucket,
                      std::vector<AggregateSpec> aggs, ExprPtr having, std::vector<ExprPtr> items,
                      std::vector<std::pair<ExprPtr, bool>> order_by)
      : ctx_(ctx),
        where_(std::move(where)),
        keys_(std::move(keys)),
        bucket_(bucket),
        aggs_(std::move(aggs)),
        having_(std::move(having)),
        items_(std::move(items)),
        order_by_(std::move(order_by)) {}
  void push(int64_t rowtime, const Row& row) override;
  void advance(int64_t bound) override;
  // WINDOWED BY STAGGER (PARTITION BY keys RANGE length): a key's window
  // opens with its first row and closes `length_ms` of ROWTIME later; its
  // row's ROWTIME is the close. No bucket key is needed.
  void set_stagger(int64_t length_ms) { stagger_ms_ = length_ms; }
  // A kTime bucket's end from its start.
  static int64_t bucket_end(const Bucket& b, int64_t start);
  // Sorts output rows by (expression, descending) keys, NULLs first.
  static void sort_rows(std::vector<Row>& rows, const std::vector<std::pair<ExprPtr, bool>>& order, int64_t rowtime);

 private:
  struct Acc {
    Value value;  // SUM, MIN, MAX; AVG's sum
    int64_t count = 0;
    double sum = 0, sumsq = 0;  // STDDEV_*, VAR_*
    std::vector<Row> distinct;  // COUNT(DISTINCT x): the values seen (small groups)
  };
  struct Group {
    Row keys;
    std::vector<Acc> accs;
    int64_t close_at = 0;  // stagger windows: when this group's window closes
  };

  bool bucket_of(int64_t rowtime, int64_t* out) const;
  int64_t bucket_end(int64_t start) const { return bucket_end(bucket_, start); }
  // kRowtimeExpression: the first ROWTIME in (last_rowtime_, t] whose key is
  // not the open window's.
  int64_t key_change_time(int64_t t) const;
  bool key_differs(const Value& v) const;
  void flush(int64_t end);
  void emit_due(int64_t now);
  // The group's output row (false when HAVING drops it or it fails).
  bool finish(Group& g, int64_t end, Row& out);
  bool accumulate(Group& g, const EvalInput& in, int64_t rowtime, const Row& row);

  const PumpContext* ctx_;
  ExprPtr where_;
  std::vector<ExprPtr> keys_;
  Bucket bucket_;
  std::vector<AggregateSpec> aggs_;
  ExprPtr having_;
  std::vector<ExprPtr> items_;
  std::vector<std::pair<ExprPtr, bool>> order_by_;  // (expression over the output, descending)

  bool open_ = false;
  int64_t current_ = 0;  // the open bucket's start
  Value current_key_;    // kRowtimeExpression, kMonotonic: the open window's key
  int64_t last_rowtime_ = 0;
  int64_t stagger_ms_ = 0;  // > 0: stagger windows of this length, one per key
  std::vector<Group> groups_;
  std::unordered_map<Row, size_t, RowKeyHash, RowKeyEqual> index_;
};

// Streaming ORDER BY outside a GROUP BY (after a select list, or over a
// UNION ALL): rows wait until their leading time bucket (ROWTIME,
// FLOOR(ROWTIME TO unit), STEP(ROWTIME BY ...)) is complete on every input,
// are sorted by the other keys, and leave with the bucket's end as their
// ROWTIME (the bucket's ROWTIME itself when the key is plain ROWTIME), so
// ROWTIME still never decreases.
class SortOp final : public Operator {
 public:
  SortOp(ExprPtr bucket_key, TumblingAggregateOp::Bucket bucket, std::vector<std::pair<ExprPtr, bool>> order,
         size_t inputs);
  // Where upstream `i` pushes its rows.
  Operator* input(size_t i) { return inputs_[i].get(); }
  void push(int64_t rowtime, const Row& row) override { arrive(0, rowtime, row); }
  void advance(int64_t bound) override { raise(0, bound); }

 private:
  class Input final : public Operator {
   public:
    Input(SortOp* sort, size_t index) : sort_(sort), index_(index) {}
    void push(int64_t rowtime, const Row& row) override { sort_->arrive(index_, rowtime, row); }
    void advance(int64_t bound) override { sort_->raise(index_, bound); }

   private:
    SortOp* sort_;
    size_t index_;
  };
  void arrive(size_t input, int64_t rowtime, const Row& row);
  void raise(size_t input, int64_t bound);
  void release();

  ExprPtr bucket_key_;
  TumblingAggregateOp::Bucket bucket_;
  std::vector<std::pair<ExprPtr, bool>> order_;
  std::vector<std::unique_ptr<Input>> inputs_;
  std::vector<int64_t> bounds_;                  // per input: no row below this will come
  std::map<int64_t, std::vector<Row>> pending_;  // bucket start → its rows
  int64_t released_ = std::numeric_limits<int64_t>::min();
};

// A sliding window: the frame of one windowed aggregate, `AGG(x) OVER
// (PARTITION BY k RANGE INTERVAL '1' MINUTE PRECEDING)` or `ROWS n
// PRECEDING`, which ends with the current row.
struct WindowFrame {
  std::vector<ExprPtr> partition;
  bool rows = false;      // ROWS: a count of rows; else RANGE: a span of ROWTIME
  int64_t preceding = 0;  // rows before the current one, or milliseconds
};

// One windowed aggregate (or LAG) of a sliding-window query.
struct WindowAggregate {
  enum class Kind : uint8_t {
    kCount,
    kCountStar,
    kSum,
    kAvg,
    kMin,
    kMax,
    kFirstValue,
    kLastValue,
    kStddevPop,
    kStddevSamp,
    kVarPop,
    kVarSamp,
    kLag,
    kNthValue,
    kExpAvg,
  };
  Kind kind = Kind::kCount;
  size_t frame = 0;  // index into the operator's frames
  ExprPtr arg;       // null for COUNT(*)
  SqlType type;
  BoundFunction add;          // SUM, AVG
  BoundFunction divide;       // AVG
  int64_t lag = 1;            // LAG: how many rows back; NTH_VALUE: n
  ExprPtr lag_default;        // LAG's third argument (may be null)
  bool ignore_nulls = false;  // FIRST_VALUE, LAST_VALUE, NTH_VALUE, LAG ... IGNORE NULLS
  bool from_last = false;     // NTH_VALUE ... FROM LAST
  int64_t half_life_ms = 0;   // EXP_AVG
};

// A query with windowed aggregates: every input row that passes WHERE goes
// into its partition's window of each frame, the aggregates are computed
// over the window (which ends with this row), and the select list is
// evaluated with them. One output row per input row.
class SlidingWindowOp final : public Operator {
 public:
  SlidingWindowOp(const PumpContext* ctx, ExprPtr where, std::vector<WindowFrame> frames,
                  std::vector<WindowAggregate> aggs, std::vector<ExprPtr> items, ExprPtr rowtime);
  void push(int64_t rowtime, const Row& row) override;
  void advance(int64_t bound) override;

 private:
  struct Entry {
    int64_t rowtime = 0;
    Row args;  // the argument of each aggregate of this frame, in order
  };
  using Window = std::deque<Entry>;
  struct FrameState {
    std::vector<size_t> aggs;  // the aggregates over this frame
    std::unordered_map<Row, Window, RowKeyHash, RowKeyEqual> partitions;
  };
  SqlResult<Value> compute(const WindowAggregate& a, size_t slot, const Window& w, const EvalInput& in) const;
  void evict(const WindowFrame& f, Window& w, int64_t rowtime) const;

  const PumpContext* ctx_;
  ExprPtr where_;
  std::vector<WindowFrame> frames_;
  std::vector<WindowAggregate> aggs_;
  std::vector<ExprPtr> items_;
  ExprPtr rowtime_;
  std::vector<FrameState> state_;
  Row values_;  // the aggregates' values for the current row
  Row out_;
};

// The end of a pump (or of the input): inserts into an in-application
// stream. Defined by the engine.
class StreamSink;

}  // namespace runnel::sql
