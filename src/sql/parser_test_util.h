#pragma once
// Helpers for the parser's tests: round trips and a fully parenthesized view
// of an expression's shape.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sql/ast.h"
#include "sql/parser.h"

namespace runnel::sql::testing {

// Parses `sql`, prints it, parses the print: the trees must be equal and the
// second print the same as the first. Returns the first print.
inline std::string round_trip(std::string_view sql) {
  ParseError err;
  auto p = parse_program(sql, &err);
  EXPECT_TRUE(p.has_value()) << err.to_string() << "\n" << sql;
  if (!p) return "";
  std::string printed = ast::to_sql(*p);
  auto again = parse_program(printed, &err);
  EXPECT_TRUE(again.has_value()) << err.to_string() << "\nprinted:\n" << printed;
  if (!again) return printed;
  EXPECT_TRUE(*again == *p) << "printed:\n" << printed;
  EXPECT_EQ(ast::to_sql(*again), printed);
  return printed;
}

// The error of a program that must not parse.
inline ParseError error_of(std::string_view sql) {
  ParseError err;
  auto p = parse_program(sql, &err);
  EXPECT_FALSE(p.has_value()) << sql;
  if (!p) {
    EXPECT_EQ(p.error().message(), err.to_string());
  }
  return err;
}

// An expression's operator structure, every operator node in parentheses with
// the operator first: "a + b * c" is "(+ A (* B C))". Leaves print as SQL.
inline std::string shape(const ast::Expr& e) {
  using namespace ast;
  if (auto* b = e.as<Binary>()) {
    static constexpr const char* kOps[] = {"OR", "AND", "=", "<>", "<", "<=", ">", ">=", "||", "+", "-", "*", "/", "%"};
    return std::string("(") + kOps[static_cast<int>(b->op)] + " " + shape(*b->left) + " " + shape(*b->right) + ")";
  }
  if (auto* u = e.as<Unary>()) {
    static constexpr const char* kOps[] = {"NOT", "NEG", "POS"};
    return std::string("(") + kOps[static_cast<int>(u->op)] + " " + shape(*u->operand) + ")";
  }
  if (auto* t = e.as<IsTest>()) {
    static constexpr const char* kWhat[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
    return std::string("(IS") + (t->negated ? " NOT " : " ") + kWhat[static_cast<int>(t->what)] + " " +
           shape(*t->operand) + ")";
  }
  if (auto* b = e.as<Between>()) {
    return std::string(b->negated ? "(NOT BETWEEN " : "(BETWEEN ") + shape(*b->operand) + " " + shape(*b->low) + " " +
           shape(*b->high) + ")";
  }
  if (auto* in = e.as<InList>()) {
    std::string out = std::string(in->negated ? "(NOT IN " : "(IN ") + shape(*in->operand);
    for (const auto& item : in->list) out += " " + shape(*item);
    if (in->subquery) out += " <query>";
    return out + ")";
  }
  if (auto* l = e.as<Like>()) {
    std::string out = std::string(l->negated ? "(NOT " : "(") + (l->similar ? "SIMILAR " : "LIKE ") +
                      shape(*l->operand) + " " + shape(*l->pattern);
    if (l->escape) out += " ESCAPE " + shape(*l->escape);
    return out + ")";
  }
  return to_sql(e);
}

// The shape of a parsed expression, or the error text.
inline std::string shape_of(std::string_view sql) {
  auto e = parse_expression(sql);
  if (!e) return "error: " + e.error().message();
  return shape(*e);
}

}  // namespace runnel::sql::testing
