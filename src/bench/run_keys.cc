#include "bench/run_keys.h"

#include <charconv>
#include <string>

#include "config/value_text.h"

namespace rerankd::bench {
namespace {

Status set_int(int& field, std::string_view value) {
  RERANKD_ASSIGN_OR_RETURN(field, config::parse_int(value));
  return {};
}

Status set_uint64(std::uint64_t& field, std::string_view value) {
  RERANKD_ASSIGN_OR_RETURN(const std::int64_t parsed, config::parse_int64(value));
  if (parsed < 0)
    return invalid_argument("expected a non-negative integer, got " + std::string(value));
  field = static_cast<std::uint64_t>(parsed);
  return {};
}

Status set_double(double& field, std::string_view value) {
  RERANKD_ASSIGN_OR_RETURN(field, parse_number(value));
  return {};
}

Status set_one_of(std::string& field, std::string_view value,
                  std::initializer_list<std::string_view> allowed) {
  std::string names;
  for (const std::string_view name : allowed) {
    if (value == name) {
      field = std::string(value);
      return {};
    }
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  return invalid_argument("expected one of " + names + ", got " + config::quote_for_message(value));
}

Status set_target(RunSettings& s, std::string_view value) {
  if (value == "in_process" || value == "server" || value == "model_only" ||
      value.starts_with("http://")) {
    s.target = std::string(value);
    return {};
  }
  return invalid_argument("expected in_process, server, model_only or http://HOST:PORT, got " +
                          config::quote_for_message(value));
}

// clang-format off
constexpr RunKey kRunKeys[] = {
  {"target", "in_process, server (the harness starts one), model_only (pre-tokenized batches straight to a backend) or http://HOST:PORT", set_target},
  {"workload.kind", "msmarco or synthetic",
   [](RunSettings& s, std::string_view v) { return set_one_of(s.workload.kind, v, {"msmarco", "synthetic"}); }},
  {"workload.documents", "documents per request",
   [](RunSettings& s, std::string_view v) { return set_int(s.workload.documents, v); }},
  {"workload.requests", "distinct requests to build (0: all the data gives)",
   [](RunSettings& s, std::string_view v) { return set_int(s.workload.requests, v); }},
  {"workload.passages_per_document", "msmarco: consecutive passages joined into one document",
   [](RunSettings& s, std::string_view v) { return set_int(s.workload.passages_per_document, v); }},
  {"workload.seed", "seed of the synthetic texts",
   [](RunSettings& s, std::string_view v) { return set_uint64(s.workload.seed, v); }},
  {"workload.mean_tokens", "synthetic: mean document tokens",
   [](RunSettings& s, std::string_view v) { return set_int(s.workload.mean_tokens, v); }},
  {"workload.stddev_tokens", "synthetic: standard deviation of document tokens",
   [](RunSettings& s, std::string_view v) { return set_int(s.workload.stddev_tokens, v); }},
  {"workload.min_tokens", "synthetic: shortest document",
   [](RunSettings& s, std::string_view v) { return set_int(s.workload.min_tokens, v); }},
  {"workload.max_tokens", "synthetic: longest document",
   [](RunSettings& s, std::string_view v) { return set_int(s.workload.max_tokens, v); }},
  {"workload.query_tokens", "synthetic: query tokens",
   [](RunSettings& s, std::string_view v) { return set_int(s.workload.query_tokens, v); }},
  {"load.mode", "closed (N clients back to back) or open (Poisson arrivals)",
   [](RunSettings& s, std::string_view v) { return set_one_of(s.load.mode, v, {"closed", "open"}); }},
  {"load.clients", "closed: concurrent clients; open: most requests in flight",
   [](RunSettings& s, std::string_view v) { return set_int(s.load.clients, v); }},
  {"load.rate_rps", "open: mean requests per second",
   [](RunSettings& s, std::string_view v) { return set_double(s.load.rate_rps, v); }},
  {"load.repeats", "measured windows per point; the median one is reported",
   [](RunSettings& s, std::string_view v) { return set_int(s.load.repeats, v); }},
  {"load.warmup_s", "seconds sent before measuring",
   [](RunSettings& s, std::string_view v) { return set_double(s.load.warmup_s, v); }},
  {"load.duration_s", "measured seconds (when load.requests is 0)",
   [](RunSettings& s, std::string_view v) { return set_double(s.load.duration_s, v); }},
  {"load.requests", "measured requests (overrides load.duration_s when > 0)",
   [](RunSettings& s, std::string_view v) { return set_int(s.load.requests, v); }},
  {"load.seed", "seed of request order and arrivals",
   [](RunSettings& s, std::string_view v) { return set_uint64(s.load.seed, v); }},
};
// clang-format on

}  // namespace

Result<double> parse_number(std::string_view text) {
  double parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return invalid_argument("expected a number, got " + config::quote_for_message(text));
  }
  return parsed;
}

std::span<const RunKey> run_keys() { return kRunKeys; }

const RunKey* find_run_key(std::string_view key) {
  for (const RunKey& entry : kRunKeys) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

}  // namespace rerankd::bench
