// The Hugging Face cache layout, as huggingface_hub writes and reads it (file_download.py):
//   <cache>/models--org--name/blobs/<etag>                 file contents, named by ETag
//   <cache>/models--org--name/snapshots/<commit>/<path>    relative symlinks to the blobs
//   <cache>/models--org--name/refs/<revision>              the commit a branch or tag names
//   <cache>/.locks/models--org--name/<etag>.lock           one writer per blob
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/result.h"

namespace rerankd::model::hub {

class HubCache {
 public:
  HubCache(std::filesystem::path root, const std::string& id);

  const std::filesystem::path& repo_dir() const { return repo_dir_; }
  std::filesystem::path blob(const std::string& etag) const;
  std::filesystem::path snapshot(const std::string& commit) const;
  std::filesystem::path lock_file(const std::string& etag) const;

  // The commit `revision` names here: itself when it is a commit hash, else refs/<revision>.
  std::optional<std::string> commit_of(const std::string& revision) const;
  Status write_ref(const std::string& revision, const std::string& commit) const;
  // snapshots/<commit>/<file> -> the blob, as a relative symlink (replacing what was there).
  Status link(const std::string& commit, const std::string& file, const std::string& etag) const;

 private:
  std::filesystem::path root_;
  std::filesystem::path repo_dir_;
  std::string folder_;
};

// A snapshot rerankd can load: config.json and its weights (model.safetensors or the index).
// Downloads link config.json last, so a snapshot left by an interrupted download is not one.
bool is_complete_snapshot(const std::filesystem::path& dir);

// An exclusive flock on a file (created if missing), released on destruction.
class FileLock {
 public:
  static Result<FileLock> acquire(const std::filesystem::path& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace rerankd::model::hub
