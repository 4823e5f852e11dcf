#pragma once
// The parser of the Kinesis Data Analytics (KDA) SQL dialect: an
// application's code (CREATE STREAM, CREATE PUMP ... AS INSERT INTO ...
// SELECT STREAM ...) to a syntax tree (sql/ast.h). The accepted grammar is
// written out in docs/analytics-sql.md.
//
// Hand-written recursive descent with precedence climbing for expressions.
// Any input is safe: the result is a tree or a ParseError, never a crash or an
// exception, and nesting deeper than kMaxParseDepth is an error rather than a
// deep recursion (the tree's printer, copy and destructor recurse too).
//
// Threads: pure functions; call from any thread.

#include <string_view>

#include "common/status.h"
#include "sql/ast.h"
#include "sql/lexer.h"

namespace runnel::sql {

// How deeply expressions and queries may nest: parentheses, subqueries,
// function arguments, chains of one operator (a + b + c ... is a tree as deep
// as it is long). Real KDA programs stay below 30.
inline constexpr int kMaxParseDepth = 200;

// Parses a whole program: statements separated by ';', the last ';'
// optional. An empty program (only blanks and comments) has no statements.
// On failure the Status is InvalidArgument with ParseError::to_string() as
// its message, and `error` (if given) receives the line, column and message.
Result<ast::Program> parse_program(std::string_view sql, ParseError* error = nullptr);

// Parses one query (SELECT ... [UNION ...] [ORDER BY ...]), alone but for an
// optional trailing ';'. Errors as for parse_program.
Result<ast::Query> parse_query(std::string_view sql, ParseError* error = nullptr);

// Parses one expression (tests, and tools that take a condition).
Result<ast::Expr> parse_expression(std::string_view sql, ParseError* error = nullptr);

}  // namespace runnel::sql
