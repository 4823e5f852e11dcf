// libFuzzer target: the functions that read patterns and text supplied by
// a query or a record: SimpleDateFormat (CHAR_TO_TIMESTAMP,
// TIMESTAMP_TO_CHAR), LIKE, SIMILAR TO, REGEX_REPLACE, SUBSTRING, OVERLAY,
// POSITION, TRIM and CAST from text. The first byte picks the function;
// the rest splits at '\x01' into arguments. None may crash, hang or return
// an ill-typed value; a timestamp that formats must parse back with the
// same format when the format holds every field.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sql/coerce.h"
#include "sql/functions.h"
#include "sql/functions_datefmt.h"

namespace {

using runnel::sql::Value;

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == '\x01')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

void call(std::string_view name, std::vector<Value> args, runnel::sql::TypeKind want) {
  auto r = runnel::sql::call_scalar_function(name, args);
  if (!r || !*r) return;
  if (!(*r)->is_null() && (*r)->kind() != want) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 4096) return 0;
  auto a = split(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  while (a.size() < 3) a.emplace_back();
  using runnel::sql::TypeKind;
  const int64_t n1 = a[2].empty() ? 1 : static_cast<int8_t>(a[2][0]);
  switch (data[0] % 12) {
    case 0: {
      auto f = runnel::sql::DateFormat::compile(a[0]);
      if (!f) break;
      (void)f->parse(a[1]);
      const std::string text = f->format(1'502'000'000'123);
      if (std::string_view(a[0]) == "yyyy-MM-dd HH:mm:ss.SSS" && f->parse(text) != 1'502'000'000'123) std::abort();
      break;
    }
    case 1: call("CHAR_TO_TIMESTAMP", {Value::varchar(a[0]), Value::varchar(a[1])}, TypeKind::kTimestamp); break;
    case 2: call("LIKE", {Value::varchar(a[0]), Value::varchar(a[1]), Value::varchar(a[2])}, TypeKind::kBoolean); break;
    case 3: call("SIMILAR TO", {Value::varchar(a[0]), Value::varchar(a[1])}, TypeKind::kBoolean); break;
    case 4:
      call("REGEX_REPLACE",
           {Value::varchar(a[0]), Value::varchar(a[1]), Value::varchar(a[2]), Value::integer(1), Value::integer(0)},
           TypeKind::kVarchar);
      break;
    case 5:
      call("SUBSTRING", {Value::varchar(a[0]), Value::integer(n1), Value::integer(n1 / 2 + 3)}, TypeKind::kVarchar);
      break;
    case 6:
      call("OVERLAY", {Value::varchar(a[0]), Value::varchar(a[1]), Value::integer(n1)}, TypeKind::kVarchar);
      break;
    case 7:
      call("POSITION", {Value::varchar(a[0]), Value::varchar(a[1]), Value::integer(n1)}, TypeKind::kInteger);
      break;
    case 8: call("SUBSTRING", {Value::varchar(a[0]), Value::varchar(a[1])}, TypeKind::kVarchar); break;
    case 10:
    case 11: {
      // Arithmetic over values made from the bytes: any kinds, any sizes.
      auto num = [](const std::string& b, int pick) -> Value {
        int64_t x = 0;
        for (char c : b.substr(0, 8)) x = (x << 8) | static_cast<unsigned char>(c);
        switch (pick % 7) {
          case 0: return Value::integer(static_cast<int32_t>(x));
          case 1: return Value::bigint(x);
          case 2: return Value::decimal(x % 1'000'000'000'000'000'000LL, pick % 19);
          case 3: return Value::dbl(static_cast<double>(x) / 7);
          case 4: return Value::timestamp(x % 6'000'000'000'000'000'000LL);
          case 5: return Value::interval_day_time(x);
          default: return Value::interval_year_month(x);
        }
      };
      const int p = a[2].empty() ? 0 : static_cast<unsigned char>(a[2][0]);
      const Value x = num(a[0], p), y = num(a[1], p / 7);
      for (const char* op : {"+", "-", "*", "/", "%", "MOD", "STEP", "<", "ABS", "NEGATE"}) {
        std::vector<Value> args{x, y};
        if (std::string_view(op) == "ABS" || std::string_view(op) == "NEGATE") args.pop_back();
        auto r = runnel::sql::call_scalar_function(op, args);
        if (r && *r) (void)(*r)->to_string();
      }
      break;
    }
    case 9: {
      for (const char* t : {"INTEGER", "BIGINT", "DECIMAL(18,4)", "DOUBLE", "REAL", "BOOLEAN", "DATE", "TIME",
                            "TIMESTAMP", "INTERVAL DAY TO SECOND", "VARBINARY(8)", "CHAR(3)"}) {
        const auto type = *runnel::sql::parse_sql_type(t);
        auto v = runnel::sql::cast_value(Value::varchar(a[0]), type);
        if (v && !v->is_null() && v->kind() != type.kind) std::abort();
        if (v) (void)v->to_string();
      }
      break;
    }
  }
  return 0;
}
