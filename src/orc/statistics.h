#pragma once
// Column statistics as ORC keeps them for each row group (in the row
// index), each stripe (in the file's Metadata) and the whole file (in the
// Footer): the count of non-null values, whether a null was seen, and the
// type's own min/max/sum (docs/orc.md, "Statistics"). Built by the column
// writers; one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>

#include "orc/orc_proto.pb.h"
#include "parquet/hive_type.h"
#include "parquet/value.h"

namespace runnel::orc {

class ColumnStats {
 public:
  explicit ColumnStats(const parquet::HiveType* type, bool is_root = false) : type_(type), root_(is_root) {}

  void add_null() { has_null_ = true; }
  void add_int(int64_t v);             // tinyint..bigint, date
  void add_bool(bool v);               // boolean
  void add_double(double v);           // float, double
  void add_bytes(std::string_view v);  // string, char, varchar, binary
  void add_decimal(__int128 v);        // the unscaled value
  void add_timestamp(parquet::Timestamp t);
  void add_children(uint64_t n);    // array, map: one value with n entries
  void add_present() { ++count_; }  // struct, the root

  void merge(const ColumnStats& o);
  void to_proto(proto::ColumnStatistics* out) const;

 private:
  const parquet::HiveType* type_;
  bool root_;
  uint64_t count_ = 0;
  bool has_null_ = false;
  bool any_ = false;  // a min/max has been seen
  int64_t imin_ = 0, imax_ = 0, isum_ = 0;
  bool isum_ok_ = true;
  double dmin_ = 0, dmax_ = 0, dsum_ = 0;
  std::string smin_, smax_;
  int64_t bytes_ = 0;
  __int128 decmin_ = 0, decmax_ = 0, decsum_ = 0;
  bool decsum_ok_ = true;
  uint64_t trues_ = 0;
  uint64_t cmin_ = 0, cmax_ = 0, ctotal_ = 0;
};

// An unscaled decimal with `scale` digits after the point, as ORC's
// DecimalStatistics spell it ("-12.340").
std::string decimal_to_string(__int128 unscaled, int scale);

}  // namespace runnel::orc
