// Downloading the files rerankd loads from one revision of a Hub model repo into the shared
// cache, speaking the Hub's protocol as huggingface_hub does:
//   GET  {endpoint}/api/models/{id}/revision/{rev}   -> the commit and the repo's file list
//   HEAD {endpoint}/{id}/resolve/{commit}/{path}     -> ETag (X-Linked-Etag: an LFS file's
//        sha256), size, and for LFS a redirect to the CDN
//   GET  the file (redirects followed; Range to resume an .incomplete blob)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/hub/hub_settings.h"
#include "model/hub/repo_ref.h"

namespace rerankd::model::hub {

// The snapshot directory, complete, after downloading what is missing. Errors name the repo,
// the revision and the URL: gated or private (401/403), no such repo / revision / file (404),
// a repo with PyTorch weights only, a checksum mismatch (the blob is deleted), a full disk, and
// a server that stays unreachable after bounded retries. A blob is written as <etag>.incomplete
// under a lock and renamed only once whole and checked.
Result<std::filesystem::path> download_snapshot(const RepoRef& ref, const HubSettings& settings);

// Which of a revision's files rerankd needs (the weights first, config.json last), given the
// repo's file list; FailedPrecondition when it has no safetensors weights, naming what it has.
// Shards of an index are added once the index is read.
Result<std::vector<std::string>> files_to_fetch(const RepoRef& ref,
                                                const std::vector<std::string>& repo_files);

}  // namespace rerankd::model::hub
