#include "orc/statistics.h"

#include <algorithm>
#include <cmath>

namespace runnel::orc {

using parquet::HiveKind;

namespace {

// 10^38 - 1: the largest decimal(38) magnitude; a sum past it is dropped.
constexpr __int128 max_decimal() {
  __int128 p = 1;
  for (int i = 0; i < 38; ++i) p *= 10;
  return p - 1;
}
constexpr __int128 kMaxDecimal = max_decimal();

}  // namespace

std::string decimal_to_string(__int128 v, int scale) {
  bool neg = v < 0;
  unsigned __int128 m = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  } while (m != 0);
  while (static_cast<int>(digits.size()) <= scale) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  if (scale > 0) digits.insert(digits.end() - scale, '.');
  return neg ? "-" + digits : digits;
}

void ColumnStats::add_int(int64_t v) {
  ++count_;
  if (!any_ || v < imin_) imin_ = v;
  if (!any_ || v > imax_) imax_ = v;
  any_ = true;
  if (isum_ok_ && __builtin_add_overflow(isum_, v, &isum_)) isum_ok_ = false;
}

void ColumnStats::add_bool(bool v) {
  ++count_;
  if (v) ++trues_;
}

void ColumnStats::add_double(double v) {
  ++count_;
  dsum_ += v;
  if (std::isnan(v)) return;
  if (!any_ || v < dmin_) dmin_ = v;
  if (!any_ || v > dmax_) dmax_ = v;
  any_ = true;
}

void ColumnStats::add_bytes(std::string_view v) {
  ++count_;
  bytes_ += static_cast<int64_t>(v.size());
  if (type_->kind == HiveKind::kBinary) return;
  if (!any_ || v < smin_) smin_.assign(v);
  if (!any_ || v > smax_) smax_.assign(v);
  any_ = true;
}

void ColumnStats::add_decimal(__int128 v) {
  ++count_;
  if (!any_ || v < decmin_) decmin_ = v;
  if (!any_ || v > decmax_) decmax_ = v;
  any_ = true;
  if (decsum_ok_ && (__builtin_add_overflow(decsum_, v, &decsum_) || decsum_ > kMaxDecimal || decsum_ < -kMaxDecimal)) {
    decsum_ok_ = false;
  }
}

void ColumnStats::add_timestamp(parquet::Timestamp t) {
  int64_t ms = t.seconds * 1000 + t.nanos / 1000000;
  add_int(ms);
  isum_ok_ = false;  // no sum for timestamps
}

void ColumnStats::add_children(uint64_t n) {
  ++count_;
  if (!any_ || n < cmin_) cmin_ = n;
  if (!any_ || n > cmax_) cmax_ = n;
  any_ = true;
  ctotal_ += n;
}

void ColumnStats::merge(const ColumnStats& o) {
  count_ += o.count_;
  has_null_ = has_null_ || o.has_null_;
  trues_ += o.trues_;
  bytes_ += o.bytes_;
  ctotal_ += o.ctotal_;
  dsum_ += o.dsum_;
  if (isum_ok_ && (!o.isum_ok_ || __builtin_add_overflow(isum_, o.isum_, &isum_))) isum_ok_ = false;
  if (decsum_ok_) {
    if (!o.decsum_ok_) {
      decsum_ok_ = false;
    } else if (__builtin_add_overflow(decsum_, o.decsum_, &decsum_) || decsum_ > kMaxDecimal ||
               decsum_ < -kMaxDecimal) {
      decsum_ok_ = false;
    }
  }
  if (!o.any_) return;
  if (!any_) {
    imin_ = o.imin_, imax_ = o.imax_, dmin_ = o.dmin_, dmax_ = o.dmax_;
    smin_ = o.smin_, smax_ = o.smax_, decmin_ = o.decmin_, decmax_ = o.decmax_;
    cmin_ = o.cmin_, cmax_ = o.cmax_;
    any_ = true;
    return;
  }
  imin_ = std::min(imin_, o.imin_), imax_ = std::max(imax_, o.imax_);
  dmin_ = std::min(dmin_, o.dmin_), dmax_ = std::max(dmax_, o.dmax_);
  if (o.smin_ < smin_) smin_ = o.smin_;
  if (o.smax_ > smax_) smax_ = o.smax_;
  decmin_ = std::min(decmin_, o.decmin_), decmax_ = std::max(decmax_, o.decmax_);
  cmin_ = std::min(cmin_, o.cmin_), cmax_ = std::max(cmax_, o.cmax_);
}

void ColumnStats::to_proto(proto::ColumnStatistics* out) const {
  out->set_numberofvalues(count_);
  out->set_hasnull(has_null_);
  if (root_) return;
  switch (type_->kind) {
    case HiveKind::kTinyint:
    case HiveKind::kSmallint:
    case HiveKind::kInt:
    case HiveKind::kBigint: {
      auto* s = out->mutable_intstatistics();
      if (any_) s->set_minimum(imin_), s->set_maximum(imax_);
      if (isum_ok_) s->set_sum(isum_);
      break;
    }
    case HiveKind::kDate: {
      auto* s = out->mutable_datestatistics();
      if (any_) s->set_minimum(static_cast<int32_t>(imin_)), s->set_maximum(static_cast<int32_t>(imax_));
      break;
    }
    case HiveKind::kTimestamp: {
      auto* s = out->mutable_timestampstatistics();
      if (any_) {
        s->set_minimum(imin_), s->set_maximum(imax_);
        s->set_minimumutc(imin_), s->set_maximumutc(imax_);
      }
      break;
    }
    case HiveKind::kBoolean: out->mutable_bucketstatistics()->add_count(trues_); break;
    case HiveKind::kFloat:
    case HiveKind::kDouble: {
      auto* s = out->mutable_doublestatistics();
      if (any_) s->set_minimum(dmin_), s->set_maximum(dmax_);
      s->set_sum(dsum_);
      break;
    }
    case HiveKind::kString:
    case HiveKind::kChar:
    case HiveKind::kVarchar: {
      auto* s = out->mutable_stringstatistics();
      if (any_) s->set_minimum(smin_), s->set_maximum(smax_);
      s->set_sum(bytes_);
      break;
    }
    case HiveKind::kBinary: out->mutable_binarystatistics()->set_sum(bytes_); break;
    case HiveKind::kDecimal: {
      auto* s = out->mutable_decimalstatistics();
      if (any_) {
        s->set_minimum(decimal_to_string(decmin_, type_->scale));
        s->set_maximum(decimal_to_string(decmax_, type_->scale));
      }
      if (decsum_ok_) s->set_sum(decimal_to_string(decsum_, type_->scale));
      break;
    }
    case HiveKind::kArray:
    case HiveKind::kMap: {
      auto* s = out->mutable_collectionstatistics();
      if (any_) s->set_minchildren(cmin_), s->set_maxchildren(cmax_);
      s->set_totalchildren(ctotal_);
      break;
    }
    case HiveKind::kStruct: break;
  }
}

}  // namespace runnel::orc
