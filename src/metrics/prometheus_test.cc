#include "metrics/prometheus.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "metrics/test_util.h"

namespace runnel::metrics {
namespace {

// A parser of the text exposition format 0.0.4 that enforces its rules:
// names and label names by their grammars, label values with only the \\,
// \" and \n escapes, one HELP and one TYPE per family before its samples,
// sample names matching their family's type, histogram buckets cumulative
// with +Inf equal to _count.
struct ParsedSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value;
};

struct Parsed {
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> help;
  std::vector<ParsedSample> samples;
  std::string error;
};

std::string family_of(const std::string& sample, const std::map<std::string, std::string>& types) {
  if (types.count(sample)) return sample;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (sample.size() > s.size() && sample.ends_with(s)) {
      std::string base = sample.substr(0, sample.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return "";
}

Parsed parse(const std::string& text) {
  static const std::regex kName("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex kLabel("[a-zA-Z_][a-zA-Z0-9_]*");
  Parsed p;
  if (!text.empty() && text.back() != '\n') p.error = "no final line feed";
  std::istringstream in(text);
  std::string line;
  std::set<std::string> families_with_samples;
  while (p.error.empty() && std::getline(in, line)) {
    if (line.rfind("# ", 0) == 0) {
      std::istringstream words(line.substr(2));
      std::string kind, name, rest;
      words >> kind >> name;
      std::getline(words, rest);
      if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      if (!std::regex_match(name, kName)) p.error = "bad name in " + line;
      if (kind == "TYPE") {
        if (p.types.count(name) || families_with_samples.count(name)) p.error = "TYPE repeated or late: " + line;
        if (rest != "counter" && rest != "gauge" && rest != "histogram" && rest != "summary" && rest != "untyped") {
          p.error = "bad type: " + line;
        }
        p.types[name] = rest;
      } else if (kind == "HELP") {
        if (p.help.count(name)) p.error = "HELP repeated: " + line;
        for (size_t i = 0; i < rest.size(); ++i) {
          if (rest[i] == '\\' && (i + 1 == rest.size() || (rest[i + 1] != '\\' && rest[i + 1] != 'n'))) {
            p.error = "bad HELP escape: " + line;
          }
          if (rest[i] == '\\') ++i;
        }
        p.help[name] = rest;
      }
      continue;
    }
    ParsedSample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!std::regex_match(s.name, kName)) {
      p.error = "bad sample name: " + line;
      break;
    }
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find('=', i);
        if (eq == std::string::npos) {
          p.error = "no = in " + line;
          break;
        }
        std::string label = line.substr(i, eq - i);
        if (!std::regex_match(label, kLabel) || label.starts_with("__")) p.error = "bad label name: " + line;
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') {
          p.error = "unquoted label value: " + line;
          break;
        }
        ++i;
        std::string value;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            char e = i + 1 < line.size() ? line[i + 1] : '?';
            if (e == '\\')
              value.push_back('\\');
            else if (e == '"')
              value.push_back('"');
            else if (e == 'n')
              value.push_back('\n');
            else
              p.error = "bad escape: " + line;
            i += 2;
          } else {
            value.push_back(line[i++]);
          }
        }
        if (i >= line.size()) {
          p.error = "unterminated label value: " + line;
          break;
        }
        ++i;  // closing quote
        if (s.labels.count(label)) p.error = "label repeated: " + line;
        s.labels[label] = value;
        if (i < line.size() && line[i] == ',') ++i;
      }
      ++i;  // }
    }
    if (i >= line.size() || line[i] != ' ') {
      p.error = "no value: " + line;
      break;
    }
    std::string value = line.substr(i + 1);
    if (value == "+Inf")
      s.value = HUGE_VAL;
    else if (value == "-Inf")
      s.value = -HUGE_VAL;
    else if (value == "NaN")
      s.value = NAN;
    else {
      char* end = nullptr;
      s.value = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0') p.error = "bad value: " + line;
    }
    std::string family = family_of(s.name, p.types);
    if (family.empty()) p.error = "sample without TYPE: " + line;
    families_with_samples.insert(family);
    p.samples.push_back(std::move(s));
  }
  // Histograms: cumulative buckets, +Inf equal to _count, le parsable.
  for (const auto& [family, type] : p.types) {
    if (type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    for (const auto& s : p.samples) {
      auto labels = s.labels;
      if (s.name == family + "_bucket") {
        if (!labels.count("le")) p.error = "bucket without le";
        std::string le = labels["le"];
        labels.erase("le");
        buckets[labels].emplace_back(le == "+Inf" ? HUGE_VAL : std::strtod(le.c_str(), nullptr), s.value);
      } else if (s.name == family + "_count") {
        counts[labels] = s.value;
      }
    }
    for (const auto& [labels, bs] : buckets) {
      for (size_t i = 1; i < bs.size(); ++i) {
        if (bs[i].first <= bs[i - 1].first || bs[i].second < bs[i - 1].second) p.error = "buckets not cumulative";
      }
      if (bs.empty() || bs.back().first != HUGE_VAL || bs.back().second != counts[labels]) {
        p.error = "+Inf bucket differs from _count";
      }
    }
  }
  return p;
}

class PrometheusTest : public ::testing::Test {
 protected:
  Registry registry_;
  std::shared_ptr<PrometheusDescriptor> incoming_ =
      std::make_shared<PrometheusDescriptor>(PrometheusDescriptor{"runnel_kinesis_incoming_bytes",
                                                                  "Bytes put into a stream.",
                                                                  PrometheusKind::kCounter,
                                                                  {{"StreamName", "stream"}},
                                                                  {}});
  std::shared_ptr<PrometheusDescriptor> latency_ =
      std::make_shared<PrometheusDescriptor>(PrometheusDescriptor{"runnel_kinesis_put_record_latency_milliseconds",
                                                                  "PutRecord latency\\in ms\nper stream.",
                                                                  PrometheusKind::kHistogram,
                                                                  {{"StreamName", "stream"}},
                                                                  millisecond_bounds()});
};

MetricId stream_metric(const std::string& name, const std::string& stream) {
  return *MetricId::make("AWS/Kinesis", name, {{"StreamName", stream}});
}

TEST_F(PrometheusTest, CountersHistogramsAndGaugesFollowTheExpositionFormat) {
  auto a = registry_.series(stream_metric("IncomingBytes", "orders"), Unit::kBytes, {.prometheus = incoming_});
  auto b = registry_.series(stream_metric("IncomingBytes", "we\"ird\\na\nme"), Unit::kBytes, {.prometheus = incoming_});
  auto lat =
      registry_.series(stream_metric("PutRecord.Latency", "orders"), Unit::kMilliseconds, {.prometheus = latency_});
  registry_.series(stream_metric("Hidden", "orders"), Unit::kCount)->record(1);  // no descriptor: not shown
  a->record(100);
  a->record(50, 2);
  b->record(7);
  for (double ms : {0.2, 1.0, 3.0, 3.0, 70.0, 100000.0}) lat->record(ms);
  registry_.add_gauge(GaugeCallback{"runnel_memory_bytes", "Resident memory.", {}, [] { return 12345.0; }});
  registry_.add_gauge(
      GaugeCallback{"runnel_connections", "Open connections.", {{"listener", "plain"}}, [] { return 3.0; }});
  std::string text = render_prometheus(registry_);
  Parsed p = parse(text);
  ASSERT_EQ(p.error, "") << text;
  EXPECT_EQ(p.types["runnel_kinesis_incoming_bytes_total"], "counter");
  EXPECT_EQ(p.types["runnel_kinesis_put_record_latency_milliseconds"], "histogram");
  EXPECT_EQ(p.types["runnel_memory_bytes"], "gauge");
  EXPECT_EQ(p.types.size(), 4u);
  std::map<std::string, double> counters;
  for (const auto& s : p.samples) {
    if (s.name == "runnel_kinesis_incoming_bytes_total") counters[s.labels.at("stream")] = s.value;
  }
  EXPECT_EQ(counters["orders"], 200);
  EXPECT_EQ(counters["we\"ird\\na\nme"], 7);  // escaped and read back whole
  EXPECT_NE(text.find("runnel_kinesis_put_record_latency_milliseconds_bucket{stream=\"orders\",le=\"0.5\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("runnel_kinesis_put_record_latency_milliseconds_bucket{stream=\"orders\",le=\"5\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("runnel_kinesis_put_record_latency_milliseconds_bucket{stream=\"orders\",le=\"+Inf\"} 6\n"),
            std::string::npos);
  EXPECT_NE(text.find("runnel_kinesis_put_record_latency_milliseconds_sum{stream=\"orders\"} 100077.2\n"),
            std::string::npos);
  EXPECT_NE(text.find("runnel_memory_bytes 12345\n"), std::string::npos);
  EXPECT_NE(text.find("runnel_connections{listener=\"plain\"} 3\n"), std::string::npos);
  EXPECT_EQ(text.find("Hidden"), std::string::npos);

  // promtool, when installed (Debian's prometheus package), checks it too.
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    testing::TempDir dir;
    std::string path = dir.file("metrics.txt");
    std::ofstream(path) << text;
    std::string cmd = "promtool check metrics < " + path + " >/dev/null 2>" + dir.file("err.txt");
    int rc = std::system(cmd.c_str());
    std::ifstream err(dir.file("err.txt"));
    std::string complaints((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    // promtool's lint also flags style (for example counters whose names
    // lack a unit); only parse errors fail.
    EXPECT_EQ(complaints.find("error while linting"), std::string::npos) << complaints << "\n" << text;
    (void)rc;
  }
}

TEST_F(PrometheusTest, TheParserRejectsWhatTheFormatForbids) {
  EXPECT_NE(parse("# TYPE x counter\nx{a=\"b\\t\"} 1\n").error, "");
  EXPECT_NE(parse("x 1\n").error, "");
  EXPECT_NE(parse("# TYPE x counter\nx 1").error, "");
  EXPECT_NE(parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n").error, "");
  EXPECT_EQ(parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n").error, "");
}

TEST(PrometheusEscaping, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

}  // namespace
}  // namespace runnel::metrics
