#pragma once
// The enum values of parquet-format's parquet.thrift that this writer uses.
// They are wire values: never renumber.

#include <cstdint>

namespace runnel::parquet {

// Physical types (parquet.thrift `Type`).
enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

// The legacy annotations (`ConvertedType`); -1 means none is written.
enum class ConvertedType : int32_t {
  kNone = -1,
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kDecimal = 5,
  kDate = 6,
  kInt8 = 15,
  kInt16 = 16,
};

// `FieldRepetitionType`.
enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

// `Encoding`.
enum class Encoding : int32_t { kPlain = 0, kRle = 3, kRleDictionary = 8 };

// `CompressionCodec`.
enum class Codec : int32_t { kUncompressed = 0, kSnappy = 1, kGzip = 2 };

// `PageType`.
enum class PageType : int32_t { kDataPage = 0, kDictionaryPage = 2, kDataPageV2 = 3 };

// The member of the `LogicalType` union a schema element carries (its field
// id in the union); kNone writes no logicalType.
enum class LogicalKind : int16_t {
  kNone = 0,
  kString = 1,
  kMap = 2,
  kList = 3,
  kDecimal = 5,
  kDate = 6,
  kInteger = 10,
};

}  // namespace runnel::parquet
