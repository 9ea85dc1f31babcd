#include <gtest/gtest.h>

#include <filesystem>

#include "common/file.h"
#include "support/test_env.h"

namespace rerankd {
namespace {

namespace fs = std::filesystem;

TEST(WriteFileAtomically, WritesAndReplacesTheWholeFileLeavingNoPartial) {
  const fs::path dir = rerankd::testing::make_temp_dir("file-write");
  const fs::path file = dir / "out.txt";
  ASSERT_TRUE(write_file_atomically(file, "first version, longer").ok());
  ASSERT_TRUE(write_file_atomically(file, std::string("second\0bytes", 12)).ok());
  const auto read = read_file(file);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::string("second\0bytes", 12));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(WriteFileAtomically, AMissingDirectoryIsAnErrorNamingThePath) {
  const fs::path file = "/nonexistent-rerankd-dir/out.txt";
  const Status status = write_file_atomically(file, "x");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find(file.string()), std::string::npos) << status.message();
}

}  // namespace
}  // namespace rerankd
