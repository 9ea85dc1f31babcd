#include "model/hub/hub_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/file.h"
#include "model/hub/repo_ref.h"

namespace rerankd::model::hub {
namespace {

namespace fs = std::filesystem;

bool resolves(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);  // follows the symlink: a dangling one does not count
}

}  // namespace

HubCache::HubCache(fs::path root, const std::string& id)
    : root_(std::move(root)), folder_(repo_folder_name(id)) {
  repo_dir_ = root_ / folder_;
}

fs::path HubCache::blob(const std::string& etag) const { return repo_dir_ / "blobs" / etag; }

fs::path HubCache::snapshot(const std::string& commit) const {
  return repo_dir_ / "snapshots" / commit;
}

fs::path HubCache::lock_file(const std::string& etag) const {
  return root_ / ".locks" / folder_ / (etag + ".lock");
}

std::optional<std::string> HubCache::commit_of(const std::string& revision) const {
  if (is_commit_hash(revision)) return revision;
  auto text = read_file(repo_dir_ / "refs" / revision);
  if (!text.ok()) return std::nullopt;
  std::string commit = *text;
  while (!commit.empty() &&
         (commit.back() == '\n' || commit.back() == '\r' || commit.back() == ' ')) {
    commit.pop_back();
  }
  if (!is_commit_hash(commit)) return std::nullopt;
  return commit;
}

Status HubCache::write_ref(const std::string& revision, const std::string& commit) const {
  const fs::path ref = repo_dir_ / "refs" / revision;
  std::error_code ec;
  fs::create_directories(ref.parent_path(), ec);
  return write_file_atomically(ref, commit);
}

Status HubCache::link(const std::string& commit, const std::string& file,
                      const std::string& etag) const {
  const fs::path link = snapshot(commit) / file;
  std::error_code ec;
  fs::create_directories(link.parent_path(), ec);
  if (ec)
    return internal_error("cannot create " + link.parent_path().string() + ": " + ec.message());
  const fs::path target = blob(etag).lexically_relative(link.parent_path());
  const fs::path temporary = link.string() + ".link-" + std::to_string(getpid());
  fs::remove(temporary, ec);
  fs::create_symlink(target, temporary, ec);
  if (!ec) fs::rename(temporary, link, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return internal_error("cannot link " + link.string() + " to " + target.string() + ": " +
                          ec.message());
  }
  return {};
}

bool is_complete_snapshot(const fs::path& dir) {
  return resolves(dir / "config.json") &&
         (resolves(dir / "model.safetensors") || resolves(dir / "model.safetensors.index.json"));
}

Result<FileLock> FileLock::acquire(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return internal_error("cannot open lock " + path.string() + ": " + std::strerror(errno));
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      const int error = errno;
      ::close(fd);
      return internal_error("cannot lock " + path.string() + ": " + std::strerror(error));
    }
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace rerankd::model::hub
