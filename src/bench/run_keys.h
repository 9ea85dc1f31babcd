// The keys of RunSettings outside the server config: "target", "workload.<field>" and
// "load.<field>", each with its setter. experiment.cc's apply_setting routes the rest to
// config::apply_override.
#pragma once

#include <span>
#include <string_view>

#include "bench/experiment.h"

namespace rerankd::bench {

struct RunKey {
  std::string_view key;
  std::string_view help;
  Status (*set)(RunSettings& settings, std::string_view value);
};

std::span<const RunKey> run_keys();
const RunKey* find_run_key(std::string_view key);

// A decimal number ("0.5", "200"); InvalidArgument quoting the text otherwise.
Result<double> parse_number(std::string_view text);

}  // namespace rerankd::bench
