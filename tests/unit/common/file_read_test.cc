#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

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

}  // namespace
}  // namespace rerankd
