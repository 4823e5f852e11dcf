#pragma once
// Row checking and shredding: a row (a Value tree) is checked against the
// schema, then cut into one (repetition level, definition level, value)
// triple per leaf occurrence, as the Dremel paper and parquet-format
// describe. docs/parquet.md has worked examples.

#include <cstdint>

#include "common/status.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace runnel::parquet {

// Receives the triples of one row, leaf by leaf in schema order within each
// node; `value` is null where the level says the leaf is absent.
class LevelSink {
 public:
  virtual ~LevelSink() = default;
  virtual void emit(int leaf, uint16_t rep, uint16_t def, const Value* value) = 0;
};

// Whether `row` (a kStruct with one item per column) fits the schema: kinds
// match the Hive types, integers fit their type, decimals their precision,
// nanos are below 10^9, map keys are not null. kInvalidArgument names the
// first offending column path (e.g. "column 'tags.key': ...").
Status check_row(const Schema& schema, const Value& row);

// Emits every triple of a row that passed check_row().
void shred_row(const Schema& schema, const Value& row, LevelSink& sink);

}  // namespace runnel::parquet
