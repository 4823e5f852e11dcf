#pragma once
// The planner: a parsed program (sql/ast.h) to the engine's streams and
// operators (sql/operators.h). It resolves every name (streams, tables,
// columns, ROWTIME), binds every function (sql/functions.h), types every
// expression, and refuses what the engine cannot run with a CompileError
// that points at the text.
//
// Threads: runs inside Engine::compile, on the caller's thread.

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/ast.h"
#include "sql/engine.h"

namespace runnel::sql {

class Operator;
struct PumpContext;

// An in-application stream at run time.
struct EngineStream {
  std::string name;
  std::vector<ColumnSchema> columns;
  bool input = false;
  int64_t last_rowtime = std::numeric_limits<int64_t>::min();
  int64_t bound = std::numeric_limits<int64_t>::min();  // no later row below it
  std::vector<int64_t> writer_bounds;                   // each pump's bound into it
  std::vector<Operator*> readers;                       // the pumps reading it
  std::vector<std::function<void(const StreamRow&)>> subscribers;
};

// A reference table (a reference data source loaded into the application).
struct EngineTable {
  std::string name;
  std::vector<ColumnSchema> columns;
  std::vector<Row> rows;
  uint64_t version = 0;  // raised whenever `rows` is replaced
};

// How the planner creates and finds what the engine owns.
struct PlannerHooks {
  std::function<EngineStream*(std::string_view)> find_stream;
  std::function<EngineTable*(std::string_view)> find_table;
  std::function<EngineStream*(std::unique_ptr<EngineStream>)> add_stream;
  std::function<Operator*(std::unique_ptr<Operator>)> add_operator;
  std::function<PumpContext*(std::string)> add_pump;
  std::function<Operator*(EngineStream*, std::vector<size_t>, const PumpContext*)> make_sink;
};

// Plans every statement; the first error stops it, described in `error`.
Status plan_program(const ast::Program& program, const PlannerHooks& hooks, CompileError* error);

}  // namespace runnel::sql
