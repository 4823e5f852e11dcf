#include "metrics/prometheus.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <vector>

namespace runnel::metrics {
namespace {

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string family_name(const PrometheusDescriptor& d) {
  if (d.kind == PrometheusKind::kCounter && !d.name.ends_with("_total")) return d.name + "_total";
  return d.name;
}

std::string_view type_name(PrometheusKind k) {
  switch (k) {
    case PrometheusKind::kCounter: return "counter";
    case PrometheusKind::kGauge: return "gauge";
    case PrometheusKind::kHistogram: return "histogram";
  }
  return "untyped";
}

// {a="x",b="y"} (without braces: the caller adds le= for buckets).
std::string label_pairs(const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out.push_back(',');
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out.push_back('"');
  }
  return out;
}

std::string braces(const std::string& pairs) { return pairs.empty() ? std::string() : "{" + pairs + "}"; }

struct Sample {
  std::string labels;  // rendered pairs
  const Series* series;
  SeriesTotals totals;
};

struct Family {
  std::string help;
  PrometheusKind kind = PrometheusKind::kGauge;
  const PrometheusDescriptor* descriptor = nullptr;
  std::vector<Sample> samples;
  std::vector<std::pair<std::string, double>> gauge_values;  // callbacks: (labels, value)
};

void render_family(std::string& out, const std::string& name, Family& f) {
  out += "# HELP " + name + " " + escape_help(f.help) + "\n";
  out += "# TYPE " + name + " " + std::string(type_name(f.kind)) + "\n";
  std::sort(f.samples.begin(), f.samples.end(), [](const Sample& a, const Sample& b) { return a.labels < b.labels; });
  for (const auto& s : f.samples) {
    switch (f.kind) {
      case PrometheusKind::kCounter: out += name + braces(s.labels) + " " + format_value(s.totals.sum) + "\n"; break;
      case PrometheusKind::kGauge: out += name + braces(s.labels) + " " + format_value(s.totals.last) + "\n"; break;
      case PrometheusKind::kHistogram: {
        const auto& bounds = f.descriptor->bounds;
        std::string sep = s.labels.empty() ? "" : ",";
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= bounds.size(); ++i) {
          cumulative += i < s.totals.buckets.size() ? s.totals.buckets[i] : 0;
          std::string le = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
          out += name + "_bucket{" + s.labels + sep + "le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
        }
        out += name + "_sum" + braces(s.labels) + " " + format_value(s.totals.sum) + "\n";
        out += name + "_count" + braces(s.labels) + " " + std::to_string(cumulative) + "\n";
        break;
      }
    }
  }
  for (const auto& [labels, value] : f.gauge_values) {
    out += name + braces(labels) + " " + format_value(value) + "\n";
  }
}

}  // namespace

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string render_prometheus(const Registry& registry) {
  std::map<std::string, Family> families;
  // Kept until the end: the families point into these series' descriptors.
  const auto series = registry.prometheus_series();
  for (const auto& s : series) {
    const PrometheusDescriptor& d = *s->prometheus();
    Family& f = families[family_name(d)];
    if (!f.descriptor) {
      f.descriptor = &d;
      f.kind = d.kind;
      f.help = d.help;
    } else if (f.kind != d.kind) {
      continue;  // a family has one type; a conflicting descriptor is not shown
    }
    MetricId id = s->id();
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& [dimension, label] : d.labels) {
      if (const std::string* v = id.dimension(dimension)) labels.emplace_back(label, *v);
    }
    f.samples.push_back(Sample{label_pairs(labels), s.get(), s->totals()});
  }
  for (const auto& g : registry.gauges()) {
    Family& f = families[g.name];
    if (f.descriptor && f.kind != PrometheusKind::kGauge) continue;
    if (f.help.empty()) f.help = g.help;
    f.kind = PrometheusKind::kGauge;
    f.gauge_values.emplace_back(label_pairs(g.labels), g.value ? g.value() : 0.0);
  }
  std::string out;
  for (auto& [name, f] : families) render_family(out, name, f);
  return out;
}

}  // namespace runnel::metrics
