#pragma once
// Engine: one Kinesis Data Analytics SQL application's code, compiled and
// running. The Analytics service (src/analytics/) feeds it the rows of its
// input (in-application streams SOURCE_SQL_STREAM_001.. or whatever
// NamePrefix names), tells it that time passes, and takes the rows inserted
// into the in-application streams its outputs name; the engine knows
// nothing of Kinesis, Firehose or records.
//
// What runs (docs/analytics-engine.md has the whole story):
// - CREATE [OR REPLACE] STREAM declares an in-application stream: its
//   columns, plus the ROWTIME every row carries.
// - CREATE [OR REPLACE] PUMP ... AS INSERT INTO s [(cols)] SELECT STREAM ...
//   is a continuous query: every row that reaches its FROM streams flows
//   through it at once (push), and what it selects is inserted into s.
// - A query: FROM one stream, a subquery, or a stream joined with a
//   reference table; WHERE; the select list with `expr AS ROWTIME`;
//   GROUP BY with a monotonic expression of ROWTIME (a tumbling window,
//   emitted when ROWTIME passes the window's end, with the window's end as
//   the output's ROWTIME); HAVING; UNION ALL of streams.
// - ROWTIME is non-decreasing on every in-application stream: an input row
//   is stamped with the time it arrives (never earlier than the stream's
//   last row); a pump that would insert a row whose ROWTIME goes backwards
//   sends it to error_stream instead.
// - Runtime failures (division by zero, a value that does not convert, an
//   out-of-order ROWTIME) do not stop anything: the row goes to the
//   in-application stream error_stream with KDA's columns, and processing
//   goes on with the next row.
//
// Threads: an Engine is used by one thread at a time (the application's
// own); it holds no lock and starts no thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/types.h"
#include "sql/value.h"

namespace runnel::sql {

struct ColumnSchema {
  std::string name;
  SqlType type;
  // A column that `*` does not select (an input stream's
  // APPROXIMATE_ARRIVAL_TIME); name it to read it.
  bool system = false;
};

// What an application's code reads besides the streams it creates.
struct ProgramInputs {
  struct Stream {
    std::string name;  // e.g. SOURCE_SQL_STREAM_001 (case-sensitive, as KDA creates it quoted)
    std::vector<ColumnSchema> columns;
  };
  struct Table {
    std::string name;
    std::vector<ColumnSchema> columns;
    std::vector<Row> rows;
  };
  std::vector<Stream> streams;
  std::vector<Table> tables;
};

// A compile error with the position of the offending text (1-based; 0 when
// the error concerns the whole program).
struct CompileError {
  int line = 0;
  int column = 0;
  std::string message;
  std::string to_string() const;
};

// The columns of KDA's error_stream, in order: ERROR_TIME TIMESTAMP,
// ERROR_LEVEL VARCHAR(10), ERROR_NAME VARCHAR(32), MESSAGE VARCHAR(4096),
// DATA_ROWTIME TIMESTAMP, DATA_ROW VARCHAR(49152), PUMP_NAME VARCHAR(128).
inline constexpr std::string_view kErrorStream = "error_stream";
const std::vector<ColumnSchema>& error_stream_columns();

// One row inserted into an in-application stream.
struct StreamRow {
  int64_t rowtime = 0;
  const Row* values = nullptr;
};

class Engine {
 public:
  // Parses and plans `code`. Errors: the first problem, with its position
  // (a syntax error, an unknown stream or column, a type mismatch, a
  // construct the engine does not run yet).
  [[nodiscard]] static Result<std::unique_ptr<Engine>> compile(std::string_view code, const ProgramInputs& inputs,
                                                               CompileError* error = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // The in-application streams the code creates, in order of creation
  // (error_stream is not among them, though outputs may name it).
  std::vector<std::string> stream_names() const;
  // A stream's columns (without ROWTIME), or nullptr when there is none of
  // that name (names are case-sensitive here: the code's unquoted names are
  // upper case).
  const std::vector<ColumnSchema>* stream_columns(std::string_view name) const;

  // Calls `fn` for every row inserted into stream `name` (or error_stream),
  // after the rows it had. Returns false when there is no such stream.
  bool subscribe(std::string_view name, std::function<void(const StreamRow&)> fn);

  // A row of input stream `input` (index into ProgramInputs::streams), at
  // `arrival_ms`: its ROWTIME is max(arrival_ms, the stream's last ROWTIME).
  // Pumps run on it before this returns.
  void insert(size_t input, int64_t arrival_ms, Row row);

  // An input row that could not be read (a record that did not parse or
  // coerce): written to error_stream as KDA does.
  void input_error(size_t input, int64_t arrival_ms, const SqlError& error, std::string_view data);

  // Time has reached `now_ms` on every input: windows that end at or
  // before it are emitted.
  void advance(int64_t now_ms);

  // Replaces a reference table's rows (UpdateApplication reloads it).
  Status replace_table(std::string_view name, std::vector<Row> rows);

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace runnel::sql
