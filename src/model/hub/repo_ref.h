// A model on the Hub as the user names it: "org/name", "org/name@revision", or a revision given
// apart (--revision). A revision is a branch, a tag or a commit.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace rerankd::model::hub {

struct RepoRef {
  std::string id;                 // "org/name" (or "name")
  std::string revision = "main";  // as given; resolved to a commit by the Hub
};

// True for "name" or "org/name" whose parts are not empty, "." or "..", and hold no '\\' (a hub
// id never escapes the cache folder it names).
bool is_hub_id(std::string_view id);

// Splits "org/name@rev". `revision` (a --revision flag; empty when not given) wins over "@rev"
// only when they agree or one is absent; two different ones are an InvalidArgument.
Result<RepoRef> parse_repo_ref(std::string_view model, std::string_view revision);

// A full commit id: 40 lower-case hex digits.
bool is_commit_hash(std::string_view revision);

// huggingface_hub's repo_folder_name: "models--org--name".
std::string repo_folder_name(std::string_view id);

}  // namespace rerankd::model::hub
