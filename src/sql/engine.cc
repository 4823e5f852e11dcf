#include "sql/engine.h"

#include <chrono>
#include <limits>

#include "common/hex.h"
#include "sql/ast.h"
#include "sql/coerce.h"
#include "sql/operators.h"
#include "sql/parser.h"
#include "sql/planner.h"

namespace runnel::sql {

std::string CompileError::to_string() const {
  if (line <= 0) return message;
  return "SQL error at line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

const std::vector<ColumnSchema>& error_stream_columns() {
  static const std::vector<ColumnSchema> kColumns = {
      {"ERROR_TIME", SqlType::of(TypeKind::kTimestamp)},
      {"ERROR_LEVEL", SqlType::varchar(10)},
      {"ERROR_NAME", SqlType::varchar(32)},
      {"MESSAGE", SqlType::varchar(4096)},
      {"DATA_ROWTIME", SqlType::of(TypeKind::kTimestamp)},
      {"DATA_ROW", SqlType::varchar(49152)},
      {"PUMP_NAME", SqlType::varchar(128)},
  };
  return kColumns;
}

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// ---- The runtime ---------------------------------------------------------

// The end of a pump: the query's columns go into the target stream's
// columns (by position, or by the pump's column list), converted to their
// types; a ROWTIME that would go backwards is an error row instead.
class StreamSink final : public Operator {
 public:
  StreamSink(Engine::Impl* impl, EngineStream* target, size_t writer, std::vector<size_t> positions,
             const PumpContext* ctx)
      : impl_(impl), target_(target), writer_(writer), positions_(std::move(positions)), ctx_(ctx) {}
  void push(int64_t rowtime, const Row& row) override;
  void advance(int64_t bound) override;

 private:
  Engine::Impl* impl_;
  EngineStream* target_;
  size_t writer_;
  std::vector<size_t> positions_;  // target column of each query column
  const PumpContext* ctx_;
  Row out_;
};

struct Engine::Impl {
  std::vector<std::unique_ptr<EngineStream>> streams;  // the inputs first, then CREATE STREAM order
  size_t input_count = 0;
  EngineStream errors;
  std::vector<std::unique_ptr<EngineTable>> tables;
  std::vector<std::unique_ptr<PumpContext>> pumps;
  std::vector<std::unique_ptr<Operator>> operators;
  PumpContext input_context;

  EngineStream* find_stream(std::string_view name) {
    if (name == kErrorStream) return &errors;
    for (auto& s : streams)
      if (s->name == name) return s.get();
    return nullptr;
  }

  // A row enters a stream: its subscribers see it, then its readers run.
  void deliver(EngineStream& s, int64_t rowtime, const Row& row) {
    s.last_rowtime = rowtime;
    StreamRow sr{rowtime, &row};
    for (auto& fn : s.subscribers) fn(sr);
    for (Operator* r : s.readers) r->push(rowtime, row);
  }

  void bound(EngineStream& s, size_t writer, int64_t b) {
    if (writer < s.writer_bounds.size()) s.writer_bounds[writer] = std::max(s.writer_bounds[writer], b);
    int64_t low = std::numeric_limits<int64_t>::max();
    for (int64_t w : s.writer_bounds) low = std::min(low, w);
    if (s.writer_bounds.empty() || low <= s.bound) return;
    s.bound = low;
    for (Operator* r : s.readers) r->advance(low);
  }

  void report(const SqlError& e, int64_t data_rowtime, std::string data_row, const std::string& pump) {
    Row row{Value::timestamp(wall_ms()),
            Value::varchar("ERROR"),
            Value::varchar(e.name.substr(0, 32)),
            Value::varchar(e.message.substr(0, 4096)),
            Value::timestamp(data_rowtime),
            Value::varchar(to_hex(data_row).substr(0, 49152)),
            pump.empty() ? Value::null(TypeKind::kVarchar) : Value::varchar(pump.substr(0, 128))};
    deliver(errors, row[0].as_int(), row);
  }

  // A row that failed inside a pump: DATA_ROW holds its values as text.
  void report_row(const SqlError& e, int64_t rowtime, const Row* row, const std::string& pump) {
    std::string text;
    if (row != nullptr) {
      for (size_t i = 0; i < row->size(); ++i) {
        if (i > 0) text += ',';
        text += (*row)[i].to_string();
      }
    }
    report(e, rowtime, std::move(text), pump);
  }
};

void StreamSink::push(int64_t rowtime, const Row& row) {
  if (rowtime < target_->last_rowtime) {
    ctx_->fail(
        SqlError{"OUT_OF_ORDER_ROW", "ROWTIME " + format_timestamp(rowtime) + " is before the last ROWTIME of stream " +
                                         target_->name + " (" + format_timestamp(target_->last_rowtime) +
                                         "); ROWTIME must not decrease"},
        rowtime, &row);
    return;
  }
  out_.assign(target_->columns.size(), Value());
  for (size_t i = 0; i < target_->columns.size(); ++i) out_[i] = Value::null(target_->columns[i].type.kind);
  for (size_t i = 0; i < positions_.size() && i < row.size(); ++i) {
    const SqlType& to = target_->columns[positions_[i]].type;
    SqlResult<Value> v = assign_value(row[i], to);
    if (!v) return ctx_->fail(v.error(), rowtime, &row);
    out_[positions_[i]] = std::move(*v);
  }
  impl_->deliver(*target_, rowtime, out_);
}

void StreamSink::advance(int64_t bound) { impl_->bound(*target_, writer_, bound); }

// ---- Engine --------------------------------------------------------------

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::compile(std::string_view code, const ProgramInputs& inputs,
                                                CompileError* error_out) {
  ParseError pe;
  Result<ast::Program> program = parse_program(code, &pe);
  if (!program) {
    if (error_out) *error_out = CompileError{pe.line, pe.column, pe.message};
    return error(program.error());
  }
  auto impl = std::make_unique<Impl>();
  impl->errors.name = std::string(kErrorStream);
  impl->errors.columns = error_stream_columns();
  Impl* raw = impl.get();
  impl->input_context.name = "";
  impl->input_context.error = [raw](const SqlError& e, int64_t t, const Row* r, const std::string& p) {
    raw->report_row(e, t, r, p);
  };
  for (const ProgramInputs::Stream& s : inputs.streams) {
    auto st = std::make_unique<EngineStream>();
    st->name = s.name;
    st->columns = s.columns;
    st->input = true;
    impl->streams.push_back(std::move(st));
  }
  impl->input_count = inputs.streams.size();
  for (const ProgramInputs::Table& t : inputs.tables) {
    auto tb = std::make_unique<EngineTable>();
    tb->name = t.name;
    tb->columns = t.columns;
    tb->rows = t.rows;
    impl->tables.push_back(std::move(tb));
  }

  PlannerHooks hooks;
  hooks.find_stream = [raw](std::string_view n) { return raw->find_stream(n); };
  hooks.find_table = [raw](std::string_view n) -> EngineTable* {
    for (auto& t : raw->tables)
      if (t->name == n) return t.get();
    return nullptr;
  };
  hooks.add_stream = [raw](std::unique_ptr<EngineStream> s) {
    raw->streams.push_back(std::move(s));
    return raw->streams.back().get();
  };
  hooks.add_operator = [raw](std::unique_ptr<Operator> op) {
    raw->operators.push_back(std::move(op));
    return raw->operators.back().get();
  };
  hooks.add_pump = [raw](std::string name) {
    auto ctx = std::make_unique<PumpContext>();
    ctx->name = std::move(name);
    ctx->error = [raw](const SqlError& e, int64_t t, const Row* r, const std::string& p) {
      raw->report_row(e, t, r, p);
    };
    raw->pumps.push_back(std::move(ctx));
    return raw->pumps.back().get();
  };
  hooks.make_sink = [raw](EngineStream* target, std::vector<size_t> positions, const PumpContext* ctx) {
    size_t writer = target->writer_bounds.size();
    target->writer_bounds.push_back(std::numeric_limits<int64_t>::min());
    auto sink = std::make_unique<StreamSink>(raw, target, writer, std::move(positions), ctx);
    raw->operators.push_back(std::move(sink));
    return raw->operators.back().get();
  };
  CompileError ce;
  if (Status st = plan_program(*program, hooks, &ce); !st) {
    if (error_out) *error_out = ce;
    return error(Status::invalid_argument(ce.to_string()));
  }
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

std::vector<std::string> Engine::stream_names() const {
  std::vector<std::string> out;
  for (size_t i = impl_->input_count; i < impl_->streams.size(); ++i) out.push_back(impl_->streams[i]->name);
  return out;
}

const std::vector<ColumnSchema>* Engine::stream_columns(std::string_view name) const {
  EngineStream* s = impl_->find_stream(name);
  return s ? &s->columns : nullptr;
}

bool Engine::subscribe(std::string_view name, std::function<void(const StreamRow&)> fn) {
  EngineStream* s = impl_->find_stream(name);
  if (s == nullptr) return false;
  s->subscribers.push_back(std::move(fn));
  return true;
}

void Engine::insert(size_t input, int64_t arrival_ms, Row row) {
  if (input >= impl_->input_count) return;
  EngineStream& s = *impl_->streams[input];
  int64_t rowtime = std::max(arrival_ms, s.last_rowtime);
  impl_->deliver(s, rowtime, row);
}

void Engine::input_error(size_t input, int64_t arrival_ms, const SqlError& e, std::string_view data) {
  if (input >= impl_->input_count) return;
  EngineStream& s = *impl_->streams[input];
  impl_->report(e, std::max(arrival_ms, s.last_rowtime), std::string(data), "");
}

void Engine::advance(int64_t now_ms) {
  for (size_t i = 0; i < impl_->input_count; ++i) {
    EngineStream& s = *impl_->streams[i];
    // Input rows are stamped no earlier than their arrival, so no row below
    // `now_ms` can come any more.
    if (now_ms <= s.bound) continue;
    s.bound = now_ms;
    for (Operator* r : s.readers) r->advance(now_ms);
  }
}

Status Engine::replace_table(std::string_view name, std::vector<Row> rows) {
  for (auto& t : impl_->tables) {
    if (t->name != name) continue;
    t->rows = std::move(rows);
    ++t->version;
    return Status::ok();
  }
  return Status::not_found("no reference table " + std::string(name));
}

}  // namespace runnel::sql
