// results.json (schema kResultsSchema, the one the peer scripts write too) and results.csv.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "bench/results.h"
#include "common/result.h"

namespace rerankd::bench {

std::string to_json(const ExperimentResult& result);
// Reads what to_json writes, and what tools/peers write. InvalidArgument naming the field
// (and `source`) for a wrong schema, a missing required field or a mistyped value; unknown
// fields are ignored so newer writers stay readable.
Result<ExperimentResult> parse_results_json(std::string_view json, std::string_view source);
Result<ExperimentResult> load_results_file(const std::filesystem::path& path);

// One row per point: system, label, status, each params key (union over points, in first-seen
// order), then requests, errors, pairs_per_s, requests_per_s, latency p50/p90/p95/p99/max/mean,
// mean_batch_size, note. RFC 4180 quoting.
std::string to_csv(const ExperimentResult& result);

// Appends the points of `other` to `into` (peers joining a rerankd run); machine and names
// of `into` are kept.
void merge_points(ExperimentResult& into, const ExperimentResult& other);

}  // namespace rerankd::bench
