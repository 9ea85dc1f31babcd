#include "bench/results_io.h"

#include <simdjson.h>

#include <cmath>
#include <limits>
#include <set>

#include "common/file.h"
#include "common/json_writer.h"

namespace rerankd::bench {
namespace {

const char* status_name(PointStatus status) {
  switch (status) {
    case PointStatus::kOk:
      return "ok";
    case PointStatus::kNotBuilt:
      return "not_built";
    case PointStatus::kFailed:
      return "failed";
  }
  return "failed";
}

// ---- writing ------------------------------------------------------------------------------

// Appends `"key":` with a leading comma unless it opens the object.
void key(std::string& out, const char* name, bool first = false) {
  if (!first) out += ',';
  json::append_string(out, name);
  out += ':';
}

void field(std::string& out, const char* name, std::string_view value, bool first = false) {
  key(out, name, first);
  json::append_string(out, value);
}

void field(std::string& out, const char* name, double value) {
  key(out, name);
  json::append_number(out, value);
}

void field(std::string& out, const char* name, std::int64_t value) {
  key(out, name);
  json::append_number(out, value);
}

template <typename Map>
void append_map(std::string& out, const Map& map) {
  out += '{';
  bool first = true;
  for (const auto& [k, v] : map) {
    if (!first) out += ',';
    first = false;
    json::append_string(out, k);
    out += ':';
    if constexpr (std::is_same_v<typename Map::mapped_type, std::string>) {
      json::append_string(out, v);
    } else {
      json::append_number(out, static_cast<std::int64_t>(v));
    }
  }
  out += '}';
}

void append_machine(std::string& out, const MachineInfo& m) {
  out += '{';
  field(out, "cpu_model", m.cpu_model, true);
  field(out, "cpu_cores", static_cast<std::int64_t>(m.cpu_cores));
  field(out, "cpu_flags", m.cpu_flags);
  field(out, "gpu", m.gpu);
  field(out, "os", m.os);
  field(out, "build_type", m.build_type);
  field(out, "git_commit", m.git_commit);
  field(out, "rerankd_version", m.rerankd_version);
  out += '}';
}

void append_latency(std::string& out, const LatencySummary& l) {
  out += "{\"mean\":";
  json::append_number(out, l.mean);
  field(out, "p50", l.p50);
  field(out, "p90", l.p90);
  field(out, "p95", l.p95);
  field(out, "p99", l.p99);
  field(out, "max", l.max);
  out += '}';
}

void append_point(std::string& out, const ResultPoint& p) {
  out += '{';
  field(out, "system", p.system, true);
  field(out, "label", p.label);
  key(out, "params");
  out += '[';
  for (std::size_t i = 0; i < p.params.size(); ++i) {
    out += i == 0 ? "[" : ",[";
    json::append_string(out, p.params[i].first);
    out += ',';
    json::append_string(out, p.params[i].second);
    out += ']';
  }
  out += ']';
  key(out, "settings");
  append_map(out, p.settings);
  field(out, "status", status_name(p.status));
  field(out, "note", p.note);
  field(out, "requests", p.requests);
  field(out, "errors", p.errors);
  key(out, "errors_by_type");
  append_map(out, p.errors_by_type);
  field(out, "pairs", p.pairs);
  field(out, "duration_s", p.duration_s);
  field(out, "pairs_per_s", p.pairs_per_s);
  field(out, "requests_per_s", p.requests_per_s);
  key(out, "latency_ms");
  append_latency(out, p.latency_ms);
  field(out, "mean_batch_size", p.mean_batch_size);
  field(out, "computed_pairs_per_s", p.computed_pairs_per_s);
  if (!p.repeat_pairs_per_s.empty()) {
    key(out, "repeat_pairs_per_s");
    for (std::size_t i = 0; i < p.repeat_pairs_per_s.size(); ++i) {
      out += i == 0 ? "[" : ",";
      json::append_number(out, p.repeat_pairs_per_s[i]);
    }
    out += ']';
  }
  out += '}';
}

}  // namespace

std::string to_json(const ExperimentResult& result) {
  std::string out = "{";
  field(out, "schema", kResultsSchema, true);
  field(out, "experiment", result.experiment);
  field(out, "description", result.description);
  field(out, "started_at", result.started_at);
  key(out, "machine");
  append_machine(out, result.machine);
  field(out, "x_key", result.x_key);
  field(out, "latency_target_p50_ms", result.latency_target_p50_ms);
  out += ",\"points\":[";
  for (std::size_t i = 0; i < result.points.size(); ++i) {
    out += i == 0 ? "\n" : ",\n";
    append_point(out, result.points[i]);
  }
  out += "\n]}\n";
  return out;
}

// ---- reading ------------------------------------------------------------------------------
namespace {

using simdjson::dom::element;

// Typed reads that name `source` and the field path ("points[3].latency_ms.p50") on error.
// Absent or null optional fields keep the value the struct already holds.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  Status error(const std::string& path, std::string_view what) const {
    return invalid_argument(source_ + ": " + path + ": " + std::string(what));
  }

  // The member, or nullopt when absent or null; an error when required and missing.
  Result<std::optional<element>> member(element object, const std::string& prefix, const char* name,
                                        bool required) const {
    element value;
    if (object.at_key(name).get(value) == simdjson::SUCCESS && !value.is_null()) {
      return std::optional<element>(value);
    }
    if (required) return error(prefix + name, "missing required field");
    return std::optional<element>();
  }

  Status string(element object, const std::string& prefix, const char* name, std::string& out,
                bool required = false) const {
    RERANKD_ASSIGN_OR_RETURN(auto value, member(object, prefix, name, required));
    if (!value) return Status::ok_status();
    std::string_view text;
    if (value->get(text) != simdjson::SUCCESS) return error(prefix + name, "expected a string");
    out = std::string(text);
    return Status::ok_status();
  }

  Status number(element object, const std::string& prefix, const char* name, double& out,
                bool required = false) const {
    RERANKD_ASSIGN_OR_RETURN(auto value, member(object, prefix, name, required));
    if (!value) return Status::ok_status();
    if (value->get(out) != simdjson::SUCCESS) return error(prefix + name, "expected a number");
    return Status::ok_status();
  }

  // Integers written as 12.0 by some JSON writers are accepted.
  template <typename Int>
  Status integer(element object, const std::string& prefix, const char* name, Int& out) const {
    double value = 0;
    RERANKD_RETURN_IF_ERROR(number(object, prefix, name, value));
    if (value != std::floor(value) ||
        value < static_cast<double>(std::numeric_limits<Int>::min()) ||
        value > static_cast<double>(std::numeric_limits<Int>::max())) {
      return error(prefix + name, "expected an integer");
    }
    out = static_cast<Int>(value);
    return Status::ok_status();
  }

 private:
  std::string source_;
};

Status read_machine(const Reader& r, element doc, MachineInfo& m) {
  RERANKD_ASSIGN_OR_RETURN(auto value, r.member(doc, "", "machine", false));
  if (!value) return Status::ok_status();
  if (!value->is_object()) return r.error("machine", "expected an object");
  const std::string p = "machine.";
  RERANKD_RETURN_IF_ERROR(r.string(*value, p, "cpu_model", m.cpu_model));
  RERANKD_RETURN_IF_ERROR(r.integer(*value, p, "cpu_cores", m.cpu_cores));
  RERANKD_RETURN_IF_ERROR(r.string(*value, p, "cpu_flags", m.cpu_flags));
  RERANKD_RETURN_IF_ERROR(r.string(*value, p, "gpu", m.gpu));
  RERANKD_RETURN_IF_ERROR(r.string(*value, p, "os", m.os));
  RERANKD_RETURN_IF_ERROR(r.string(*value, p, "build_type", m.build_type));
  RERANKD_RETURN_IF_ERROR(r.string(*value, p, "git_commit", m.git_commit));
  return r.string(*value, p, "rerankd_version", m.rerankd_version);
}

// An optional array of numbers.
Status read_numbers(const Reader& r, element object, const std::string& p, const char* name,
                    std::vector<double>& out) {
  RERANKD_ASSIGN_OR_RETURN(auto value, r.member(object, p, name, false));
  if (!value) return Status::ok_status();
  simdjson::dom::array items;
  if (value->get(items) != simdjson::SUCCESS) return r.error(p + name, "expected an array");
  std::size_t i = 0;
  for (element item : items) {
    double number = 0;
    if (item.get(number) != simdjson::SUCCESS) {
      return r.error(p + name + "[" + std::to_string(i) + "]", "expected a number");
    }
    out.push_back(number);
    ++i;
  }
  return Status::ok_status();
}

Status read_params(const Reader& r, element point, const std::string& p, ResultPoint& out) {
  RERANKD_ASSIGN_OR_RETURN(auto value, r.member(point, p, "params", false));
  if (!value) return Status::ok_status();
  simdjson::dom::array pairs;
  if (value->get(pairs) != simdjson::SUCCESS) return r.error(p + "params", "expected an array");
  std::size_t i = 0;
  for (element pair : pairs) {
    const std::string path = p + "params[" + std::to_string(i++) + "]";
    simdjson::dom::array kv;
    std::string_view k, v;
    if (pair.get(kv) != simdjson::SUCCESS || kv.size() != 2 ||
        kv.at(0).get(k) != simdjson::SUCCESS || kv.at(1).get(v) != simdjson::SUCCESS) {
      return r.error(path, "expected a [key, value] pair of strings");
    }
    out.params.emplace_back(std::string(k), std::string(v));
  }
  return Status::ok_status();
}

template <typename Value>
Status read_map(const Reader& r, element point, const std::string& p, const char* name,
                std::map<std::string, Value>& out) {
  RERANKD_ASSIGN_OR_RETURN(auto value, r.member(point, p, name, false));
  if (!value) return Status::ok_status();
  simdjson::dom::object object;
  if (value->get(object) != simdjson::SUCCESS) return r.error(p + name, "expected an object");
  const std::string path = p + name + ".";
  for (const auto field : object) {
    const std::string k(field.key);
    if constexpr (std::is_same_v<Value, std::string>) {
      RERANKD_RETURN_IF_ERROR(r.string(*value, path, k.c_str(), out[k]));
    } else {
      RERANKD_RETURN_IF_ERROR(r.integer(*value, path, k.c_str(), out[k]));
    }
  }
  return Status::ok_status();
}

Status read_status(const Reader& r, element point, const std::string& p, PointStatus& out) {
  std::string text;
  RERANKD_RETURN_IF_ERROR(r.string(point, p, "status", text, true));
  if (text == "ok") {
    out = PointStatus::kOk;
  } else if (text == "not_built") {
    out = PointStatus::kNotBuilt;
  } else if (text == "failed") {
    out = PointStatus::kFailed;
  } else {
    return r.error(p + "status",
                   "expected \"ok\", \"not_built\" or \"failed\", got \"" + text + "\"");
  }
  return Status::ok_status();
}

Status read_latency(const Reader& r, element point, const std::string& p, bool required,
                    LatencySummary& l) {
  RERANKD_ASSIGN_OR_RETURN(auto value, r.member(point, p, "latency_ms", required));
  if (!value) return Status::ok_status();
  if (!value->is_object()) return r.error(p + "latency_ms", "expected an object");
  const std::string q = p + "latency_ms.";
  RERANKD_RETURN_IF_ERROR(r.number(*value, q, "mean", l.mean));
  RERANKD_RETURN_IF_ERROR(r.number(*value, q, "p50", l.p50, required));
  RERANKD_RETURN_IF_ERROR(r.number(*value, q, "p90", l.p90));
  RERANKD_RETURN_IF_ERROR(r.number(*value, q, "p95", l.p95));
  RERANKD_RETURN_IF_ERROR(r.number(*value, q, "p99", l.p99));
  return r.number(*value, q, "max", l.max);
}

Result<ResultPoint> read_point(const Reader& r, element point, const std::string& p) {
  ResultPoint out;
  if (!point.is_object()) return r.error(p.substr(0, p.size() - 1), "expected an object");
  RERANKD_RETURN_IF_ERROR(r.string(point, p, "system", out.system, true));
  RERANKD_RETURN_IF_ERROR(r.string(point, p, "label", out.label));
  RERANKD_RETURN_IF_ERROR(read_params(r, point, p, out));
  RERANKD_RETURN_IF_ERROR(read_map(r, point, p, "settings", out.settings));
  RERANKD_RETURN_IF_ERROR(read_status(r, point, p, out.status));
  RERANKD_RETURN_IF_ERROR(r.string(point, p, "note", out.note));
  RERANKD_RETURN_IF_ERROR(r.integer(point, p, "requests", out.requests));
  RERANKD_RETURN_IF_ERROR(r.integer(point, p, "errors", out.errors));
  RERANKD_RETURN_IF_ERROR(read_map(r, point, p, "errors_by_type", out.errors_by_type));
  RERANKD_RETURN_IF_ERROR(r.integer(point, p, "pairs", out.pairs));
  RERANKD_RETURN_IF_ERROR(r.number(point, p, "duration_s", out.duration_s));
  // A measured point must say how fast it was; the rest may be left out by a peer script.
  const bool measured = out.status == PointStatus::kOk;
  RERANKD_RETURN_IF_ERROR(r.number(point, p, "pairs_per_s", out.pairs_per_s, measured));
  RERANKD_RETURN_IF_ERROR(r.number(point, p, "requests_per_s", out.requests_per_s));
  RERANKD_RETURN_IF_ERROR(read_latency(r, point, p, measured, out.latency_ms));
  RERANKD_RETURN_IF_ERROR(r.number(point, p, "mean_batch_size", out.mean_batch_size));
  RERANKD_RETURN_IF_ERROR(r.number(point, p, "computed_pairs_per_s", out.computed_pairs_per_s));
  RERANKD_RETURN_IF_ERROR(read_numbers(r, point, p, "repeat_pairs_per_s", out.repeat_pairs_per_s));
  return out;
}

Status read_points(const Reader& r, element doc, std::vector<ResultPoint>& out) {
  RERANKD_ASSIGN_OR_RETURN(auto value, r.member(doc, "", "points", true));
  simdjson::dom::array points;
  if (value->get(points) != simdjson::SUCCESS) return r.error("points", "expected an array");
  std::size_t i = 0;
  for (element point : points) {
    RERANKD_ASSIGN_OR_RETURN(ResultPoint p,
                             read_point(r, point, "points[" + std::to_string(i++) + "]."));
    out.push_back(std::move(p));
  }
  return Status::ok_status();
}

}  // namespace

Result<ExperimentResult> parse_results_json(std::string_view json, std::string_view source) {
  const Reader r(source);
  simdjson::dom::parser parser;
  element doc;
  const simdjson::padded_string padded(json);
  if (const auto error = parser.parse(padded).get(doc); error != simdjson::SUCCESS) {
    return invalid_argument(std::string(source) +
                            ": invalid JSON: " + simdjson::error_message(error));
  }
  if (!doc.is_object()) return r.error("(top level)", "expected an object");
  ExperimentResult out;
  std::string schema;
  RERANKD_RETURN_IF_ERROR(r.string(doc, "", "schema", schema, true));
  if (schema != kResultsSchema) {
    return r.error("schema",
                   "expected \"" + std::string(kResultsSchema) + "\", got \"" + schema + "\"");
  }
  RERANKD_RETURN_IF_ERROR(r.string(doc, "", "experiment", out.experiment, true));
  RERANKD_RETURN_IF_ERROR(r.string(doc, "", "description", out.description));
  RERANKD_RETURN_IF_ERROR(r.string(doc, "", "started_at", out.started_at));
  RERANKD_RETURN_IF_ERROR(read_machine(r, doc, out.machine));
  RERANKD_RETURN_IF_ERROR(r.string(doc, "", "x_key", out.x_key));
  RERANKD_RETURN_IF_ERROR(r.number(doc, "", "latency_target_p50_ms", out.latency_target_p50_ms));
  RERANKD_RETURN_IF_ERROR(read_points(r, doc, out.points));
  return out;
}

Result<ExperimentResult> load_results_file(const std::filesystem::path& path) {
  RERANKD_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return parse_results_json(text, path.string());
}

// ---- CSV ----------------------------------------------------------------------------------
namespace {

// RFC 4180: a field with a comma, quote or line break is quoted, inner quotes doubled.
void csv_field(std::string& out, std::string_view text, bool first = false) {
  if (!first) out += ',';
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void csv_number(std::string& out, double value) {
  out += ',';
  json::append_number(out, value);
}

std::vector<std::string> params_keys(const ExperimentResult& result) {
  std::vector<std::string> keys;
  std::set<std::string> seen;
  for (const ResultPoint& p : result.points) {
    for (const auto& kv : p.params) {
      if (seen.insert(kv.first).second) keys.push_back(kv.first);
    }
  }
  return keys;
}

std::string_view param_value(const ResultPoint& p, const std::string& k) {
  for (const auto& kv : p.params) {
    if (kv.first == k) return kv.second;
  }
  return {};
}

}  // namespace

std::string to_csv(const ExperimentResult& result) {
  const std::vector<std::string> keys = params_keys(result);
  std::string out = "system,label,status";
  for (const std::string& k : keys) csv_field(out, k);
  out +=
      ",requests,errors,pairs_per_s,requests_per_s,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,mean_ms,"
      "mean_batch_size,note\r\n";
  for (const ResultPoint& p : result.points) {
    csv_field(out, p.system, true);
    csv_field(out, p.label);
    csv_field(out, status_name(p.status));
    for (const std::string& k : keys) csv_field(out, param_value(p, k));
    out += ',' + std::to_string(p.requests) + ',' + std::to_string(p.errors);
    for (double v :
         {p.pairs_per_s, p.requests_per_s, p.latency_ms.p50, p.latency_ms.p90, p.latency_ms.p95,
          p.latency_ms.p99, p.latency_ms.max, p.latency_ms.mean, p.mean_batch_size}) {
      csv_number(out, v);
    }
    csv_field(out, p.note);
    out += "\r\n";
  }
  return out;
}

void merge_points(ExperimentResult& into, const ExperimentResult& other) {
  // A peer-only file may be merged into an empty record; keep what `into` already says.
  if (into.x_key.empty()) into.x_key = other.x_key;
  if (into.latency_target_p50_ms == 0) into.latency_target_p50_ms = other.latency_target_p50_ms;
  into.points.insert(into.points.end(), other.points.begin(), other.points.end());
}

}  // namespace rerankd::bench
