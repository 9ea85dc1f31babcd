// experiments/*.yaml -> Experiment. yaml-cpp throws; its exceptions end here as Statuses.
#include "bench/experiment.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "bench/run_keys.h"
#include "common/file.h"
#include "config/key_table.h"

namespace rerankd::bench {

Status apply_setting(RunSettings& settings, std::string_view key, std::string_view value) {
  if (const RunKey* run_key = find_run_key(key)) {
    const Status status = run_key->set(settings, value);
    if (!status.ok()) return invalid_argument(std::string(key) + ": " + status.message());
    return {};
  }
  if (config::find_key(key) != nullptr) return config::apply_override(settings.config, key, value);
  return invalid_argument(std::string(key) +
                          ": unknown key (a config key such as batching.max_batch_size, target, "
                          "workload.<field> or load.<field>)");
}

std::vector<std::string> settable_keys() {
  std::vector<std::string> keys;
  for (const RunKey& key : run_keys()) keys.emplace_back(key.key);
  for (const std::string& key : config::config_keys()) keys.push_back(key);
  return keys;
}

Status validate_settings(const RunSettings& settings) {
  std::vector<std::string> problems;
  const Status config_status = settings.config.validate();
  if (!config_status.ok()) problems.push_back(config_status.message());
  const auto positive = [&](const char* key, double value) {
    if (!(value > 0)) problems.push_back(std::string(key) + ": must be positive");
  };
  positive("workload.documents", settings.workload.documents);
  positive("load.clients", settings.load.clients);
  positive("load.repeats", settings.load.repeats);
  if (settings.load.requests <= 0) positive("load.duration_s", settings.load.duration_s);
  if (settings.load.mode == "open") positive("load.rate_rps", settings.load.rate_rps);
  if (settings.load.warmup_s < 0) problems.push_back("load.warmup_s: is negative");
  if (settings.workload.kind == "synthetic" &&
      settings.workload.min_tokens > settings.workload.max_tokens) {
    problems.push_back("workload.min_tokens: is above workload.max_tokens");
  }
  if (problems.empty()) return {};
  std::string message;
  for (const auto& problem : problems) message += (message.empty() ? "" : "; ") + problem;
  return invalid_argument(message);
}

namespace {

class ExperimentReader {
 public:
  explicit ExperimentReader(std::string_view source) : source_(source) {}

  Status read(const YAML::Node& root, Experiment& out) const {
    if (!root.IsMap()) return error_at(root.Mark(), "expected a mapping (name, config, sweep...)");
    std::set<std::string> seen;
    for (const auto& entry : root) {
      const std::string key = entry.first.Scalar();
      if (!seen.insert(key).second) return error_at(entry.first.Mark(), key + ": repeated");
      RERANKD_RETURN_IF_ERROR(read_top_level(key, entry.first.Mark(), entry.second, out));
    }
    if (out.name.empty()) return error_at(root.Mark(), "name: missing");
    return {};
  }

  Status error_at(const YAML::Mark& mark, const std::string& message) const {
    return invalid_at(source_, mark.is_null() ? 0 : mark.line + 1, message);
  }

 private:
  Status read_top_level(const std::string& key, const YAML::Mark& mark, const YAML::Node& node,
                        Experiment& out) const {
    if (key == "name") return read_scalar(key, mark, node, out.name);
    if (key == "description") return read_scalar(key, mark, node, out.description);
    if (key == "model") return read_scalar(key, mark, node, out.model);
    if (key == "target") return set(out.base, key, node);
    if (key == "config" || key == "workload" || key == "load") {
      return read_settings_section(key, mark, node, out.base);
    }
    if (key == "sweep") return read_sweep(mark, node, out.sweep);
    if (key == "link") return read_links(mark, node, out.links);
    if (key == "report") return read_report(mark, node, out);
    if (key == "peers") return read_peers(mark, node, out.peers);
    return error_at(mark, key +
                              ": unknown key (name, description, target, model, config, "
                              "workload, load, sweep, link, report, peers)");
  }

  Status read_scalar(const std::string& key, const YAML::Mark& mark, const YAML::Node& node,
                     std::string& out) const {
    if (!node.IsScalar()) return error_at(mark, key + ": expected a single value");
    out = node.Scalar();
    return {};
  }

  // A value as apply_setting takes it: a scalar as is, a list of scalars joined by commas
  // (model.device: [0, 1] -> "0,1").
  Result<std::string> value_text(const std::string& key, const YAML::Node& node) const {
    if (node.IsScalar()) return node.Scalar();
    if (node.IsSequence()) {
      std::string joined;
      for (const auto& item : node) {
        if (!item.IsScalar()) return error_at(item.Mark(), key + ": expected a list of values");
        joined += (joined.empty() ? "" : ",") + item.Scalar();
      }
      return joined;
    }
    return error_at(node.Mark(), key + ": expected a value");
  }

  Status set(RunSettings& settings, const std::string& key, const YAML::Node& node) const {
    RERANKD_ASSIGN_OR_RETURN(const std::string text, value_text(key, node));
    const Status status = apply_setting(settings, key, text);
    if (!status.ok()) return error_at(node.Mark(), status.message());
    return {};
  }

  // config: {model: {...}, batching: {...}, server: {...}}; workload: {...}; load: {...}
  Status read_settings_section(const std::string& section, const YAML::Mark& mark,
                               const YAML::Node& node, RunSettings& settings) const {
    if (node.IsNull()) return {};
    if (!node.IsMap()) return error_at(mark, section + ": expected a mapping");
    for (const auto& entry : node) {
      const std::string name = entry.first.Scalar();
      if (section != "config") {
        RERANKD_RETURN_IF_ERROR(set(settings, section + "." + name, entry.second));
        continue;
      }
      if (!entry.second.IsMap()) {
        return error_at(entry.first.Mark(), "config." + name + ": expected a mapping of keys");
      }
      for (const auto& field : entry.second) {
        RERANKD_RETURN_IF_ERROR(set(settings, name + "." + field.first.Scalar(), field.second));
      }
    }
    return {};
  }

  Status read_sweep(const YAML::Mark& mark, const YAML::Node& node,
                    std::vector<SweepAxis>& sweep) const {
    if (!node.IsMap()) return error_at(mark, "sweep: expected a mapping of key: [values]");
    for (const auto& entry : node) {
      SweepAxis axis{entry.first.Scalar(), {}};
      if (!entry.second.IsSequence() || entry.second.size() == 0) {
        return error_at(entry.first.Mark(), "sweep." + axis.key + ": expected a list of values");
      }
      RunSettings probe;
      for (const auto& value : entry.second) {
        RERANKD_ASSIGN_OR_RETURN(std::string text, value_text("sweep." + axis.key, value));
        const Status status = apply_setting(probe, axis.key, text);
        if (!status.ok()) return error_at(value.Mark(), "sweep." + status.message());
        axis.values.push_back(std::move(text));
      }
      sweep.push_back(std::move(axis));
    }
    return {};
  }

  Status read_links(const YAML::Mark& mark, const YAML::Node& node,
                    std::vector<std::pair<std::string, std::string>>& links) const {
    if (!node.IsMap()) return error_at(mark, "link: expected a mapping of key: swept key");
    for (const auto& entry : node) {
      const std::string key = entry.first.Scalar();
      if (find_run_key(key) == nullptr && config::find_key(key) == nullptr) {
        return error_at(entry.first.Mark(), "link." + key + ": unknown key");
      }
      if (!entry.second.IsScalar()) {
        return error_at(entry.first.Mark(), "link." + key + ": expected a swept key");
      }
      links.emplace_back(key, entry.second.Scalar());
    }
    return {};
  }

  Status read_report(const YAML::Mark& mark, const YAML::Node& node, Experiment& out) const {
    if (!node.IsMap()) return error_at(mark, "report: expected a mapping");
    for (const auto& entry : node) {
      const std::string key = entry.first.Scalar();
      if (key == "x") {
        RERANKD_RETURN_IF_ERROR(
            read_scalar("report.x", entry.first.Mark(), entry.second, out.x_key));
      } else if (key == "latency_target_p50_ms") {
        RERANKD_ASSIGN_OR_RETURN(const std::string text, value_text("report." + key, entry.second));
        const auto target = parse_number(text);
        if (!target.ok() || *target < 0) {
          return error_at(entry.first.Mark(),
                          "report.latency_target_p50_ms: expected a non-negative number");
        }
        out.latency_target_p50_ms = *target;
      } else {
        return error_at(entry.first.Mark(),
                        "report." + key + ": unknown key (x, latency_target_p50_ms)");
      }
    }
    return {};
  }

  Status read_peers(const YAML::Mark& mark, const YAML::Node& node,
                    std::vector<PeerSpec>& peers) const {
    if (!node.IsSequence()) return error_at(mark, "peers: expected a list of {script, args}");
    for (const auto& item : node) {
      PeerSpec peer;
      if (!item.IsMap() || !item["script"] || !item["script"].IsScalar()) {
        return error_at(item.Mark(), "peers: each entry needs script: PATH");
      }
      peer.script = item["script"].Scalar();
      if (const auto args = item["args"]) {
        if (!args.IsSequence()) return error_at(args.Mark(), "peers.args: expected a list");
        for (const auto& arg : args) peer.args.push_back(arg.Scalar());
      }
      peers.push_back(std::move(peer));
    }
    return {};
  }

  std::string source_;
};

bool is_swept(const Experiment& experiment, const std::string& key) {
  return std::any_of(experiment.sweep.begin(), experiment.sweep.end(),
                     [&](const SweepAxis& axis) { return axis.key == key; });
}

Status check_references(const Experiment& experiment, std::string_view source) {
  const std::string prefix = std::string(source) + ": ";
  for (const auto& [key, from] : experiment.links) {
    if (!is_swept(experiment, from)) {
      return invalid_argument(prefix + "link." + key + ": '" + from + "' is not a swept key");
    }
  }
  if (!experiment.x_key.empty() && !is_swept(experiment, experiment.x_key)) {
    return invalid_argument(prefix + "report.x: '" + experiment.x_key + "' is not a swept key");
  }
  return {};
}

}  // namespace

Result<Experiment> parse_experiment(std::string_view yaml_text, std::string_view source) {
  Experiment experiment;
  const ExperimentReader reader(source);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    RERANKD_RETURN_IF_ERROR(reader.read(root, experiment));
  } catch (const YAML::Exception& error) {
    return reader.error_at(error.mark, error.msg);
  }
  RERANKD_RETURN_IF_ERROR(check_references(experiment, source));
  const Status valid = validate_settings(experiment.base);
  if (!valid.ok()) return invalid_argument(std::string(source) + ": " + valid.message());
  return experiment;
}

Result<Experiment> load_experiment_file(const std::filesystem::path& path) {
  RERANKD_ASSIGN_OR_RETURN(const std::string text, read_file(path));
  return parse_experiment(text, path.string());
}

}  // namespace rerankd::bench
