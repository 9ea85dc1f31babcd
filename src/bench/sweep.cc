#include "bench/sweep.h"

namespace rerankd::bench {
namespace {

std::string describe(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string text;
  for (const auto& [key, value] : params) text += (text.empty() ? "" : ", ") + key + "=" + value;
  return text.empty() ? "the base settings" : text;
}

const std::string* find_param(const std::vector<std::pair<std::string, std::string>>& params,
                              const std::string& key) {
  for (const auto& [name, value] : params) {
    if (name == key) return &value;
  }
  return nullptr;
}

Result<GridPoint> make_point(const Experiment& experiment,
                             std::vector<std::pair<std::string, std::string>> params) {
  GridPoint point{std::move(params), experiment.base};
  for (const auto& [key, value] : point.params) {
    RERANKD_RETURN_IF_ERROR(apply_setting(point.settings, key, value));
  }
  for (const auto& [key, from] : experiment.links) {
    const std::string* value = find_param(point.params, from);
    if (value == nullptr) return invalid_argument("link." + key + ": '" + from + "' is not swept");
    RERANKD_RETURN_IF_ERROR(apply_setting(point.settings, key, *value));
  }
  const Status valid = validate_settings(point.settings);
  if (!valid.ok()) {
    return invalid_argument("grid point " + describe(point.params) + ": " + valid.message());
  }
  return point;
}

}  // namespace

Result<std::vector<GridPoint>> expand_grid(const Experiment& experiment) {
  // An odometer over the axes: the last axis turns fastest, so the first is outermost.
  std::vector<std::size_t> index(experiment.sweep.size(), 0);
  std::vector<GridPoint> points;
  while (true) {
    std::vector<std::pair<std::string, std::string>> params;
    for (std::size_t axis = 0; axis < experiment.sweep.size(); ++axis) {
      params.emplace_back(experiment.sweep[axis].key, experiment.sweep[axis].values[index[axis]]);
    }
    RERANKD_ASSIGN_OR_RETURN(GridPoint point, make_point(experiment, std::move(params)));
    points.push_back(std::move(point));
    std::size_t axis = experiment.sweep.size();
    while (axis > 0) {
      --axis;
      if (++index[axis] < experiment.sweep[axis].values.size()) break;
      index[axis] = 0;
      if (axis == 0) return points;
    }
    if (experiment.sweep.empty()) return points;
  }
}

}  // namespace rerankd::bench
