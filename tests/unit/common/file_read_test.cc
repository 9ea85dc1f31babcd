#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/file.h"
#include "support/test_env.h"

namespace rerankd {
namespace {

namespace fs = std::filesystem;

// A FIFO in place of model.safetensors used to block open(2) until a writer came: info, score
// and serve hung forever (issue 19). Both readers must refuse it at once, naming the file.
TEST(ReadFiles, AFifoIsRefusedAsNotARegularFileWithoutWaitingForAWriter) {
  const fs::path dir = rerankd::testing::make_temp_dir("file-read");
  const fs::path fifo = dir / "model.safetensors";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);

  const auto mapped = MappedFile::open(fifo);
  ASSERT_FALSE(mapped.ok());
  EXPECT_EQ(mapped.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(mapped.status().message().find(fifo.string() + ": not a regular file"),
            std::string::npos)
      << mapped.status().message();

  const auto read = read_file(fifo);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("not a regular file"), std::string::npos)
      << read.status().message();
  fs::remove_all(dir);
}

// A model directory's optional files (tokenizer.json, tokenizer_config.json ...): only "nothing
// has that name" is absent; anything there that cannot be read is an error naming it, so that no
// loader falls back to another file without a word (issue 19).
TEST(ReadFiles, OnlyAMissingNameIsAbsentAndEveryUnreadableThingIsNamed) {
  const fs::path dir = rerankd::testing::make_temp_dir("file-present");
  { std::ofstream(dir / "regular") << "x"; }
  fs::create_directory(dir / "directory");
  fs::create_symlink("loop", dir / "loop");
  fs::create_symlink("nowhere", dir / "dangling");
  fs::create_symlink("regular", dir / "link");

  EXPECT_EQ(file_is_present(dir / "missing").value(), false);
  EXPECT_EQ(file_is_present(dir / "regular").value(), true);
  EXPECT_EQ(file_is_present(dir / "link").value(), true);
  const auto message = [&](const char* name) {
    const auto present = file_is_present(dir / name);
    EXPECT_FALSE(present.ok()) << name;
    return present.ok() ? std::string() : present.status().message();
  };
  EXPECT_EQ(message("directory"), (dir / "directory").string() + ": not a regular file");
  EXPECT_NE(message("loop").find((dir / "loop").string() + ": a loop of symbolic links"),
            std::string::npos);
  EXPECT_EQ(message("dangling"),
            (dir / "dangling").string() + ": a symbolic link to a file that does not exist");

  const auto loop = read_file(dir / "loop");
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.status().code(), StatusCode::kInvalidArgument);  // it used to say "no such file"
  EXPECT_EQ(read_file(dir / "missing").status().code(), StatusCode::kNotFound);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rerankd
