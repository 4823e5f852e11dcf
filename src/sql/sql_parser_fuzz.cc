// Application code is outside bytes (CreateApplication's ApplicationCode, up
// to 100 KB): parsing any of it must end in a tree or a ParseError, never a
// crash, a hang or an exception. Whatever parses must print to SQL that
// parses back to an equal tree, and print the same again; every error must
// point inside the text.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sql/ast.h"
#include "sql/parser.h"

namespace {

void check_error_position(std::string_view in, const runnel::sql::ParseError& e) {
  int lines = 1;
  for (char c : in) lines += c == '\n';
  if (e.line < 1 || e.line > lines || e.column < 1 || e.message.empty()) std::abort();
}

template <class T, class Parse>
void check(std::string_view in, Parse parse) {
  runnel::sql::ParseError err;
  auto tree = parse(in, &err);
  if (!tree) {
    check_error_position(in, err);
    return;
  }
  std::string printed = runnel::sql::ast::to_sql(*tree);
  auto again = parse(printed, &err);
  if (!again || !(*again == *tree) || runnel::sql::ast::to_sql(*again) != printed) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  check<runnel::sql::ast::Program>(
      in, [](std::string_view s, runnel::sql::ParseError* e) { return runnel::sql::parse_program(s, e); });
  check<runnel::sql::ast::Expr>(
      in, [](std::string_view s, runnel::sql::ParseError* e) { return runnel::sql::parse_expression(s, e); });
  return 0;
}
