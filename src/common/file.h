// Files with errors that name the file: whole-file reads and writes, read-only memory maps.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rerankd {

// Whether an optional file of a model directory is there: false only when nothing has that name.
// Something there that cannot be read as a file is an error naming it, never "absent", so a
// loader cannot silently fall back to another file: a symlink loop, a symlink to nothing, a
// directory or a FIFO (InvalidArgument).
Result<bool> file_is_present(const std::filesystem::path& path);

// Reads a whole file; NotFound when it is missing, InvalidArgument when it is not a file.
Result<std::string> read_file(const std::filesystem::path& path);

// Writes `content` as the whole file, so a reader never sees half of it: written beside it
// (".partial-<pid>"), then renamed over it; the partial file is removed on failure. Internal
// naming the path when it cannot be written or renamed.
Status write_file_atomically(const std::filesystem::path& path, std::string_view content);

// A read-only, private memory map of a whole file. Move-only; unmaps on destruction.
// Thread-safe for concurrent reads.
class MappedFile {
 public:
  static Result<MappedFile> open(const std::filesystem::path& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const std::byte> bytes() const { return {data_, size_}; }
  const std::filesystem::path& path() const { return path_; }

 private:
  void release();

  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  std::filesystem::path path_;
};

}  // namespace rerankd
