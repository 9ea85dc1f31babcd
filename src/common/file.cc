#include "common/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace rerankd {
namespace {

Status file_error(const std::filesystem::path& path, const char* what) {
  const int error = errno;
  std::string message = path.string() + ": " + what + ": " + std::strerror(error);
  if (error == ENOENT) return not_found(std::move(message));
  return invalid_argument(std::move(message));
}

}  // namespace

Status write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  auto partial = path;
  partial += ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) return internal_error(path.string() + ": cannot open for writing");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(partial);
      return internal_error(path.string() + ": write failed");
    }
  }
  std::error_code error;
  std::filesystem::rename(partial, path, error);
  if (error) {
    std::filesystem::remove(partial);
    return internal_error(path.string() +
                          ": cannot rename the finished file into place: " + error.message());
  }
  return {};
}

Result<bool> file_is_present(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    if (S_ISREG(info.st_mode)) return true;
    return invalid_argument(path.string() + ": not a regular file");
  }
  const int error = errno;
  if (error == ELOOP) {
    return invalid_argument(path.string() + ": a loop of symbolic links (" + std::strerror(error) +
                            ")");
  }
  if (error == ENOENT || error == ENOTDIR) {
    if (::lstat(path.c_str(), &info) == 0 && S_ISLNK(info.st_mode)) {
      return invalid_argument(path.string() + ": a symbolic link to a file that does not exist");
    }
    return false;
  }
  errno = error;
  return file_error(path, "cannot stat");
}

Result<std::string> read_file(const std::filesystem::path& path) {
  RERANKD_ASSIGN_OR_RETURN(const bool present, file_is_present(path));
  if (!present) return not_found(path.string() + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return file_error(path, "cannot open");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return file_error(path, "read failed");
  return std::move(content).str();
}

Result<MappedFile> MappedFile::open(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer, forever; the type check below
  // refuses it. Reads of a regular file (here: mmap) ignore the flag.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return file_error(path, "cannot open");
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    Status status = file_error(path, "cannot stat");
    ::close(fd);
    return status;
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return invalid_argument(path.string() + ": not a regular file");
  }
  MappedFile file;
  file.path_ = path;
  file.size_ = static_cast<std::size_t>(info.st_size);
  if (file.size_ > 0) {
    void* address = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (address == MAP_FAILED) {
      Status status = file_error(path, "cannot mmap");
      ::close(fd);
      return status;
    }
    file.data_ = static_cast<const std::byte*>(address);
  }
  ::close(fd);  // the mapping keeps the file alive
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      path_(std::move(other.path_)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    path_ = std::move(other.path_);
  }
  return *this;
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() {
  if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace rerankd
