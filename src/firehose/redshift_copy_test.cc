#include "firehose/redshift_copy.h"

#include <gtest/gtest.h>

namespace runnel::firehose {
namespace {

using Kind = TableColumn::Kind;

TEST(RedshiftJdbcUrl, RedshiftDefaultsToPort5439) {
  auto t = parse_jdbc_url("jdbc:redshift://cluster.example.com/dev");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->host, "cluster.example.com");
  EXPECT_EQ(t->port, 5439);
  EXPECT_EQ(t->database, "dev");
  EXPECT_TRUE(t->params.empty());
}

TEST(RedshiftJdbcUrl, PostgresqlWithPortAndParameters) {
  auto t = parse_jdbc_url("jdbc:postgresql://127.0.0.1:15432/db_1?sslmode=require&connectTimeout=3&ApplicationName=x");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 15432);
  EXPECT_EQ(t->database, "db_1");
  std::vector<std::pair<std::string, std::string>> want = {
      {"sslmode", "require"}, {"connect_timeout", "3"}, {"application_name", "x"}};
  EXPECT_EQ(t->params, want);
}

TEST(RedshiftJdbcUrl, Ipv6HostAndSslTrue) {
  auto t = parse_jdbc_url("jdbc:postgresql://[::1]:5433/d?ssl=true");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, 5433);
  ASSERT_EQ(t->params.size(), 1u);
  EXPECT_EQ(t->params[0], (std::pair<std::string, std::string>{"sslmode", "require"}));
}

TEST(RedshiftJdbcUrl, RefusesWhatItCannotUse) {
  EXPECT_FALSE(parse_jdbc_url("jdbc:mysql://h:1/d"));
  EXPECT_EQ(parse_jdbc_url("jdbc:redshift://h:5439").error().code, "Redshift.DatabaseNotFound");
  EXPECT_FALSE(parse_jdbc_url("jdbc:redshift://h:99999/d"));
  EXPECT_FALSE(parse_jdbc_url("jdbc:redshift://h:12x/d"));
  auto e = parse_jdbc_url("jdbc:redshift://h:5439/d?tcpKeepAlive=true");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("tcpKeepAlive"), std::string::npos);
  EXPECT_FALSE(parse_jdbc_url("jdbc:postgresql://h/d?sslmode=sometimes"));
}

TEST(RedshiftCopyOptions, DefaultIsPipeDelimitedText) {
  auto s = parse_copy_options("");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->format, CopyFormat::kText);
  EXPECT_EQ(s->delimiter, '|');
  EXPECT_FALSE(s->gzip);
}

TEST(RedshiftCopyOptions, EveryOptionRunnelReads) {
  auto s = parse_copy_options(
      "format as json 's3://cfg/paths/jp.json' GZIP TIMEFORMAT AS 'auto' EMPTYASNULL blanksasnull TRUNCATECOLUMNS");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->format, CopyFormat::kJson);
  EXPECT_EQ(s->jsonpaths_bucket, "cfg");
  EXPECT_EQ(s->jsonpaths_key, "paths/jp.json");
  EXPECT_TRUE(s->gzip && s->timeformat_auto && s->empty_as_null && s->blanks_as_null && s->truncate_columns);

  auto ic = parse_copy_options("JSON 'auto ignorecase'");
  ASSERT_TRUE(ic);
  EXPECT_TRUE(ic->json_ignorecase);
  EXPECT_FALSE(ic->jsonpaths_key);

  auto csv = parse_copy_options("CSV");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->format, CopyFormat::kCsv);
  EXPECT_EQ(csv->delimiter, ',');
  auto tsv = parse_copy_options("csv delimiter as '\t'");
  ASSERT_TRUE(tsv);
  EXPECT_EQ(tsv->delimiter, '\t');
  auto quote = parse_copy_options("DELIMITER ''''");
  ASSERT_TRUE(quote);
  EXPECT_EQ(quote->delimiter, '\'');
}

TEST(RedshiftCopyOptions, UnsupportedOptionsAreNamed) {
  for (std::string_view opt : {"MAXERROR 10", "ACCEPTINVCHARS", "ESCAPE", "REMOVEQUOTES", "FORMAT AS PARQUET",
                               "JSON 'noshred'", "TIMEFORMAT 'epochsecs'", "DATEFORMAT 'auto'", "MANIFEST"}) {
    auto s = parse_copy_options(opt);
    ASSERT_FALSE(s) << opt;
    EXPECT_EQ(s.error().code, "Redshift.IncorrectCopyOptions");
    std::string first(opt.substr(0, opt.find(' ')));
    if (first == "FORMAT") first = "PARQUET";
    EXPECT_NE(s.error().message.find(first), std::string::npos) << s.error().message;
  }
  EXPECT_FALSE(parse_copy_options("JSON 'auto' CSV"));
  EXPECT_FALSE(parse_copy_options("JSON 'auto' DELIMITER ','"));
  EXPECT_FALSE(parse_copy_options("DELIMITER 'ab'"));
  EXPECT_FALSE(parse_copy_options("DELIMITER"));
  EXPECT_FALSE(parse_copy_options("'auto'"));
}

TEST(RedshiftColumns, FoldsUnquotedNames) {
  auto c = parse_column_list(" Id, \"MixedCase\" ,name");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(*c, (std::vector<std::string>{"id", "MixedCase", "name"}));
  EXPECT_FALSE(parse_column_list("a b"));
  EXPECT_FALSE(parse_column_list("a,,b"));
}

TEST(RedshiftJsonPaths, ReadsDotBracketAndIndex) {
  auto p = parse_jsonpaths_file(R"({"jsonpaths": ["$.a", "$['b c']", "$.d[2].e"]})");
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0][0].name, "a");
  EXPECT_EQ((*p)[1][0].name, "b c");
  ASSERT_EQ((*p)[2].size(), 3u);
  EXPECT_EQ((*p)[2][1].index, 2);
  EXPECT_EQ((*p)[2][2].name, "e");
  EXPECT_EQ(parse_jsonpaths_file("{}").error().code, "Redshift.IncorrectJsonPathsFile");
  EXPECT_FALSE(parse_jsonpaths_file(R"({"jsonpaths": ["a"]})"));
  EXPECT_FALSE(parse_jsonpaths_file(R"({"jsonpaths": ["$.a[*]"]})"));
}

// The rows translate_rows() hands PostgreSQL, joined.
LoadResult<std::string> rows(std::string_view options, std::string_view data, const std::vector<TableColumn>& cols,
                             const std::vector<JsonPath>* paths = nullptr) {
  auto spec = parse_copy_options(options);
  if (!spec) return std::unexpected(spec.error());
  std::string out;
  auto n = translate_rows(*spec, data, cols, paths, [&](std::string_view chunk) -> std::optional<LoadError> {
    out += chunk;
    return std::nullopt;
  });
  if (!n) return std::unexpected(n.error());
  return out;
}

const std::vector<TableColumn> kIdName = {{"id", Kind::kOther, -1}, {"name", Kind::kCharacter, -1}};

TEST(RedshiftRows, PipeDelimitedTextKeepsBackslashesAndReadsNulls) {
  auto r = rows("", "1|a\\b\n2|\\N\n3|tab\there\n4|", kIdName);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "1\ta\\\\b\n2\t\\N\n3\ttab\\there\n4\t\n");
}

TEST(RedshiftRows, BlankLinesAreRowsUnlessIgnored) {
  // Redshift loads an empty line as a row of one empty field, unless IGNOREBLANKLINES.
  auto r = rows("", "1|a\n\n2|b\n", kIdName);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 2: Delimiter not found"), std::string::npos) << r.error().message;
  EXPECT_EQ(*rows("", "a\n\nb\n", {{"name", Kind::kCharacter, -1}}), "a\n\nb\n");
  EXPECT_EQ(*rows("IGNOREBLANKLINES", "1|a\n\n2|b\n", kIdName), "1\ta\n2\tb\n");
  EXPECT_EQ(*rows("CSV IGNOREBLANKLINES", "1,a\r\n\r\n2,b\n", kIdName), "1\ta\n2\tb\n");
  EXPECT_FALSE(rows("CSV", "1,a\n\n2,b\n", kIdName));
}

TEST(RedshiftRows, EmptyAndBlankFields) {
  // Empty and blank fields of non-character columns are NULL; of character
  // columns, only with EMPTYASNULL / BLANKSASNULL.
  EXPECT_EQ(*rows("", " |\n|  \n", kIdName), "\\N\t\n\\N\t  \n");
  EXPECT_EQ(*rows("EMPTYASNULL", "1|\n2|  \n", kIdName), "1\t\\N\n2\t  \n");
  EXPECT_EQ(*rows("BLANKSASNULL", "1|\n2|  \n", kIdName), "1\t\n2\t\\N\n");
}

TEST(RedshiftRows, FieldCountMismatchNamesTheLine) {
  auto fewer = rows("", "1|a\n2\n", kIdName);
  ASSERT_FALSE(fewer);
  EXPECT_EQ(fewer.error().code, "Redshift.DataLoadFailed");
  EXPECT_NE(fewer.error().message.find("line 2: Delimiter not found"), std::string::npos) << fewer.error().message;
  auto more = rows("DELIMITER ','", "1,a,b\n", kIdName);
  ASSERT_FALSE(more);
  EXPECT_NE(more.error().message.find("line 1: Extra column(s) found"), std::string::npos);
}

TEST(RedshiftRows, CsvQuotesDelimitersAndNewlines) {
  auto r = rows("CSV", "1,\"a,b\"\r\n2,\"say \"\"hi\"\"\nthere\"\n3,\\N\n4,\"\\N\"", kIdName);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "1\ta,b\n2\tsay \"hi\"\\nthere\n3\t\\N\n4\t\\\\N\n");
  EXPECT_EQ(*rows("CSV DELIMITER '|'", "1|x,y\n", kIdName), "1\tx,y\n");
  auto bad = rows("CSV", "1,\"open\n", kIdName);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("unterminated"), std::string::npos);
}

TEST(RedshiftRows, JsonAutoMatchesNamesAndConcatenatedObjects) {
  const std::vector<TableColumn> cols = {
      {"id", Kind::kOther, -1}, {"name", Kind::kCharacter, -1}, {"tags", Kind::kCharacter, -1}};
  auto r = rows(
      "JSON 'auto'",
      R"({"id":1,"name":"a\tb","extra":true}{"ID":2,"name":null,"tags":["x",{"y":1}]}  {"id":3.5,"tags":"q"})", cols);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "1\ta\\tb\t\\N\n\\N\t\\N\t[\"x\",{\"y\":1}]\n3.5\t\\N\tq\n");
  auto ic = rows("JSON 'auto ignorecase'", R"({"ID":2,"Name":"n"})", cols);
  ASSERT_TRUE(ic);
  EXPECT_EQ(*ic, "2\tn\t\\N\n");
  auto bad = rows("JSON 'auto'", R"({"id":1} [1] )", cols);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("record 2"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(rows("JSON 'auto'", R"({"id":1)", cols));
  EXPECT_FALSE(rows("JSON 'auto'", R"({"id":1,})", cols));
}

TEST(RedshiftRows, JsonPathsPickByPosition) {
  auto paths = parse_jsonpaths_file(R"({"jsonpaths": ["$.user.id", "$['tags'][1]"]})");
  ASSERT_TRUE(paths);
  auto r = rows("JSON 's3://b/jp.json'", R"({"user":{"id":7},"tags":["a","b"]}{"tags":[]})", kIdName, &*paths);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "7\tb\n\\N\t\\N\n");
  auto three = parse_jsonpaths_file(R"({"jsonpaths": ["$.a", "$.b", "$.c"]})");
  auto mismatch = rows("JSON 's3://b/jp.json'", "{}", kIdName, &*three);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, "Redshift.ColumnMismatch");
}

TEST(RedshiftRows, TimeformatAndTruncate) {
  const std::vector<TableColumn> cols = {{"at", Kind::kTimestamp, -1}, {"code", Kind::kCharacter, 3}};
  EXPECT_EQ(*rows("", "2026-12-07 10:11:12.5|abc\n", cols), "2026-12-07 10:11:12.5\tabc\n");
  auto iso = rows("", "2026-12-07T10:11:12Z|abc\n", cols);
  ASSERT_FALSE(iso);
  EXPECT_NE(iso.error().message.find("TIMEFORMAT"), std::string::npos);
  EXPECT_EQ(*rows("TIMEFORMAT 'auto'", "2026-12-07T10:11:12Z|abc\n", cols), "2026-12-07T10:11:12Z\tabc\n");
  // TRUNCATECOLUMNS cuts by characters, never inside a UTF-8 sequence.
  EXPECT_EQ(*rows("TRUNCATECOLUMNS", "2026-12-07 10:11:12|h\xC3\xA9llo\n", cols), "2026-12-07 10:11:12\th\xC3\xA9l\n");
  EXPECT_EQ(*rows("", "2026-12-07 10:11:12|hello\n", cols), "2026-12-07 10:11:12\thello\n");  // PostgreSQL refuses it
}

TEST(RedshiftRows, LargeInputReachesTheSinkInChunks) {
  std::string data;
  for (int i = 0; i < 200000; ++i) data += std::to_string(i) + "|name-" + std::to_string(i) + "\n";
  auto spec = parse_copy_options("");
  int chunks = 0;
  size_t bytes = 0;
  auto n = translate_rows(*spec, data, kIdName, nullptr, [&](std::string_view c) -> std::optional<LoadError> {
    ++chunks;
    bytes += c.size();
    return std::nullopt;
  });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 200000u);
  EXPECT_GT(chunks, 1);
  EXPECT_EQ(bytes, data.size());  // '|' became '\t', nothing else changed
}

}  // namespace
}  // namespace runnel::firehose
