#pragma once
// The deserializer half of DataFormatConversionConfiguration: one Firehose
// record (one or more concatenated JSON objects) into rows of a Glue table's
// schema, as the OpenX JSON SerDe or the Hive JSON SerDe reads it. The rules
// (key matching, JSON → Hive type coercion, timestamps) are listed in
// docs/firehose-delivery.md, "Record format conversion". Rows go to a
// parquet::FileWriter; a record that does not convert goes to
// format-conversion-failed/ (conversion_error_record()).

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "firehose/timestamp_parsing.h"
#include "parquet/hive_type.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace runnel::firehose {

// InputFormatConfiguration.Deserializer.OpenXJsonSerDe.
struct OpenXJsonSerDeOptions {
  bool case_insensitive = true;                           // CaseInsensitive
  bool convert_dots_in_json_keys_to_underscores = false;  // ConvertDotsInJsonKeysToUnderscores
  // ColumnToJsonKeyMappings: column name → the JSON key that fills it.
  std::vector<std::pair<std::string, std::string>> column_to_json_key_mappings;
};

// InputFormatConfiguration.Deserializer.HiveJsonSerDe.
struct HiveJsonSerDeOptions {
  // TimestampFormats: JodaTime patterns, or `millis`, tried in order before
  // java.sql.Timestamp.valueOf.
  std::vector<std::string> timestamp_formats;
};

struct DeserializerOptions {
  enum class Kind { kOpenX, kHive };
  Kind kind = Kind::kOpenX;
  OpenXJsonSerDeOptions openx;
  HiveJsonSerDeOptions hive;
};

// Converts records for one schema and one deserializer. Owns a JSON parser,
// so one converter belongs to one thread at a time (the delivery engine's).
class RecordConverter {
 public:
  // kInvalidArgument for a TimestampFormats pattern that is not supported
  // (JodaPattern::compile).
  static Result<std::unique_ptr<RecordConverter>> create(std::shared_ptr<const parquet::Schema> schema,
                                                         DeserializerOptions options);

  // The rows of one record: every JSON object in it, in order (AWS accepts
  // `{"a":1}{"a":2}` as two rows; a top-level array is not accepted). Keys
  // with no column are ignored; columns with no key are null. Any value
  // that does not convert fails the whole record with kInvalidArgument and
  // a message naming the column (it becomes lastErrorMessage); JSON that
  // does not parse, or is not objects, is kCorruption
  // (conversion_error_code() gives the lastErrorCode of each).
  Result<std::vector<parquet::Value>> convert(std::string_view record);

  const parquet::Schema& schema() const { return *schema_; }

  ~RecordConverter();
  RecordConverter(const RecordConverter&) = delete;
  RecordConverter& operator=(const RecordConverter&) = delete;

 private:
  friend class Conversion;
  RecordConverter() = default;
  void index_struct(const parquet::HiveType& t);
  // The key a JSON key is matched by, after the SerDe's rewriting: `key`
  // itself when the SerDe leaves it as it is, else the rewritten key in
  // `buffer`.
  std::string_view normalize_key(std::string_view key, std::string& buffer) const;

  std::shared_ptr<const parquet::Schema> schema_;
  DeserializerOptions options_;
  struct TimestampFormat {
    bool millis = false;  // the special value `millis`
    JodaPattern pattern;
  };
  std::vector<TimestampFormat> formats_;
  parquet::HiveType row_;  // the top-level columns as one struct
  // For each struct type in row_: normalized key → the fields it fills
  // (more than one when a mapping names a key that is also a column).
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<const parquet::HiveType*,
                     std::unordered_map<std::string, std::vector<size_t>, KeyHash, std::equal_to<>>>
      fields_;
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

// AWS's lastErrorCode for a failed convert(): DataFormatConversion.ParseError
// for kCorruption (not JSON objects), DataFormatConversion.MalformedData for
// the rest (values that do not fit their columns).
std::string_view conversion_error_code(const Status& s);

}  // namespace runnel::firehose
