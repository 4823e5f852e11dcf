// Whole programs in the shape of the KDA developer guide's and SQL reference's
// examples (stock ticker, tumbling, sliding and stagger windows, stream joins,
// RANDOM_CUT_FOREST, HOTSPOTS, TOP_K_ITEMS_TUMBLING, log parsing): each must
// parse, print and parse back to the same tree. The same programs are the
// fuzz target's seeds (fuzz/corpus/sql_parser_fuzz/).

#include <gtest/gtest.h>

#include <string_view>
#include <utility>
#include <vector>

#include "sql/parser.h"
#include "sql/parser_test_examples.h"
#include "sql/parser_test_util.h"

namespace runnel::sql {
namespace {

using testing::Example;
using testing::kExamples;

TEST(ParserExamples, EveryExampleProgramParsesAndRoundTrips) {
  for (const Example& e : kExamples) {
    SCOPED_TRACE(e.name);
    ParseError err;
    auto p = parse_program(e.sql, &err);
    ASSERT_TRUE(p.has_value()) << err.to_string();
    EXPECT_EQ(p->statements.size(), e.statements);
    testing::round_trip(e.sql);
  }
}

const ast::Program& example(std::string_view name) {
  static std::vector<std::pair<std::string_view, ast::Program>> parsed;
  for (const auto& [n, p] : parsed) {
    if (n == name) return p;
  }
  for (const Example& e : kExamples) {
    if (e.name != name) continue;
    auto p = parse_program(e.sql);
    EXPECT_TRUE(p.has_value());
    parsed.emplace_back(name, p ? std::move(*p) : ast::Program{});
    return parsed.back().second;
  }
  ADD_FAILURE() << "no example " << name;
  static const ast::Program kNone;
  return kNone;
}

const ast::Select* pump_select(const ast::Program& p, size_t i) {
  if (i >= p.statements.size()) return nullptr;
  const auto* pump = p.statements[i].as<ast::CreatePump>();
  return pump ? pump->query.select() : nullptr;
}

TEST(ParserExamples, ThrottledAlertsNestAWindowedQueryWithoutAnAlias) {
  const ast::Select* outer = pump_select(example("throttled_alerts"), 3);
  ASSERT_NE(outer, nullptr);
  const auto* derived = outer->from->as<ast::DerivedTable>();
  ASSERT_NE(derived, nullptr);
  EXPECT_FALSE(derived->alias);
  const ast::Select* inner = derived->query->select();
  ASSERT_NE(inner, nullptr);
  ASSERT_EQ(inner->windows.size(), 1u);
  EXPECT_EQ(inner->windows[0].name, "W1");
  EXPECT_TRUE(outer->where);
}

TEST(ParserExamples, RandomCutForestReadsACursorAndOrdersByATimeBucket) {
  const ast::Program& p = example("random_cut_forest");
  const ast::Select* rcf = pump_select(p, 2);
  ASSERT_NE(rcf, nullptr);
  const auto* table = rcf->from->as<ast::TableFunction>();
  ASSERT_NE(table, nullptr);
  const auto* call = table->call->as<ast::FunctionCall>();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->name, "RANDOM_CUT_FOREST");
  ASSERT_EQ(call->args.size(), 1u);
  EXPECT_EQ(call->args[0]->as<ast::SubqueryExpr>()->kind, ast::SubqueryExpr::Kind::kCursor);
  const auto* out = p.statements[3].as<ast::CreatePump>();
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(out->query.order_by.size(), 2u);
  EXPECT_NE(out->query.order_by[0].expr->as<ast::FloorCeil>(), nullptr);
  EXPECT_TRUE(out->query.order_by[1].descending);
}

TEST(ParserExamples, StaggerWindowReplacesGroupBy) {
  const ast::Select* s = pump_select(example("stagger"), 1);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->group_by.empty());
  ASSERT_TRUE(s->stagger);
  EXPECT_EQ(s->stagger->partition_by.size(), 2u);
}

TEST(ParserExamples, StreamJoinWindowsOneSide) {
  const ast::Select* s = pump_select(example("stream_join"), 1);
  ASSERT_NE(s, nullptr);
  const auto* join = s->from->as<ast::Join>();
  ASSERT_NE(join, nullptr);
  EXPECT_FALSE(join->left->as<ast::TableRef>()->window);
  EXPECT_TRUE(join->right->as<ast::TableRef>()->window);
  const ast::Select* enrich = pump_select(example("stream_join"), 3);
  ASSERT_NE(enrich, nullptr);
  EXPECT_EQ(enrich->from->as<ast::Join>()->kind, ast::Join::Kind::kLeft);
}

TEST(ParserExamples, LogParsingNamesTheParsedRowThroughTheAlias) {
  const ast::Select* s = pump_select(example("log_parse"), 1);
  ASSERT_NE(s, nullptr);
  const auto* col = s->items[0].expr->as<ast::ColumnRef>();
  ASSERT_NE(col, nullptr);
  EXPECT_EQ(col->name, (ast::QualifiedName{"L", "R", "COLUMN1"}));
  const ast::Select* tab = pump_select(example("log_parse"), 5);
  ASSERT_NE(tab, nullptr);
  const auto* inner = tab->from->as<ast::DerivedTable>()->query->select();
  const auto* parse = inner->items[0].expr->as<ast::FunctionCall>();
  ASSERT_NE(parse, nullptr);
  EXPECT_EQ(parse->args[2]->as<ast::Literal>()->text, "\t") << "u&'\\0009' is a tab";
}

}  // namespace
}  // namespace runnel::sql
