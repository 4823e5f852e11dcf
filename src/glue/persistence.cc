#include "glue/persistence.h"

#include <fmt/format.h>

#include "protocol/json_codec.h"
#include "protocol/value_timestamps.h"

namespace runnel::glue {
namespace {

using protocol::ms_to_timestamps;
using protocol::timestamps_to_ms;
using protocol::Value;

constexpr char kSeparator = '\x1f';

template <class T>
std::string encode_doc(const T& shape) {
  Value doc = api::encode(shape);
  timestamps_to_ms(doc);
  return protocol::encode_json(doc);
}

template <class T>
Result<T> decode_doc(std::string_view json, std::string_view what) {
  auto doc = protocol::decode_json(json);
  if (!doc || !doc->is_object()) {
    return std::unexpected(Status::corruption(fmt::format("glue {} document is not a JSON object", what)));
  }
  // Every timestamp member of Database and Table (and what they hold) ends
  // in "Time", and no other member does (CreateTime, UpdateTime,
  // LastAccessTime, LastAnalyzedTime, TableStatus.RequestTime,
  // ViewValidation.UpdateTime).
  ms_to_timestamps(*doc, "Time");
  T out;
  if (auto r = api::decode(std::move(*doc), out); !r) {
    return std::unexpected(Status::corruption(fmt::format("glue {} document: {}", what, r.error().message)));
  }
  return out;
}

}  // namespace

std::string database_key(std::string_view database) { return std::string(database); }

std::string table_key(std::string_view database, std::string_view table) {
  std::string key(database);
  key += kSeparator;
  key += table;
  return key;
}

std::string table_version_key(std::string_view database, std::string_view table, int64_t version) {
  return fmt::format("{}{}{:020d}", table_key(database, table), kSeparator, version);
}

std::string encode_database(const api::Database& db) { return encode_doc(db); }
Result<api::Database> decode_database(std::string_view json) { return decode_doc<api::Database>(json, "database"); }
std::string encode_table(const api::Table& table) { return encode_doc(table); }
Result<api::Table> decode_table(std::string_view json) { return decode_doc<api::Table>(json, "table"); }

}  // namespace runnel::glue
