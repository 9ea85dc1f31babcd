#include "model/hub/repo_ref.h"

#include <algorithm>

namespace rerankd::model::hub {

bool is_hub_id(std::string_view id) {
  if (id.empty() || std::count(id.begin(), id.end(), '/') > 1) return false;
  std::size_t start = 0;
  while (start <= id.size()) {
    const std::size_t slash = std::min(id.find('/', start), id.size());
    const std::string_view part = id.substr(start, slash - start);
    if (part.empty() || part == "." || part == ".." || part.find('\\') != std::string_view::npos) {
      return false;
    }
    start = slash + 1;
  }
  return true;
}

Result<RepoRef> parse_repo_ref(std::string_view model, std::string_view revision) {
  RepoRef ref;
  std::string_view id = model;
  std::string_view at_revision;
  if (const std::size_t at = model.rfind('@'); at != std::string_view::npos) {
    id = model.substr(0, at);
    at_revision = model.substr(at + 1);
    if (at_revision.empty()) {
      return invalid_argument("model \"" + std::string(model) + "\": nothing after '@'");
    }
  }
  if (!is_hub_id(id)) {
    return invalid_argument("model \"" + std::string(model) +
                            "\" is neither a model directory nor a Hub id of the form org/name");
  }
  if (!at_revision.empty() && !revision.empty() && at_revision != revision) {
    return invalid_argument("model \"" + std::string(model) + "\" names revision \"" +
                            std::string(at_revision) + "\" but --revision is \"" +
                            std::string(revision) + "\"");
  }
  ref.id = std::string(id);
  if (!at_revision.empty()) ref.revision = std::string(at_revision);
  if (!revision.empty()) ref.revision = std::string(revision);
  if (ref.revision.find("..") != std::string::npos || ref.revision.front() == '/' ||
      ref.revision.find('\\') != std::string::npos) {
    return invalid_argument("revision \"" + ref.revision + "\" is not a branch, tag or commit");
  }
  return ref;
}

bool is_commit_hash(std::string_view revision) {
  return revision.size() == 40 && std::all_of(revision.begin(), revision.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string repo_folder_name(std::string_view id) {
  std::string folder = "models--";
  for (const char c : id) {
    if (c == '/') {
      folder += "--";
    } else {
      folder += c;
    }
  }
  return folder;
}

}  // namespace rerankd::model::hub
