#include "text/token_map.h"

#include <gtest/gtest.h>

#include <string>

namespace rerankd::text {
namespace {

TEST(TokenMap, FindsInsertedKeysAndMissesOthers) {
  TokenMap map;
  for (int i = 0; i < 1000; ++i) map.insert("token" + std::to_string(i), i);
  EXPECT_EQ(map.size(), 1000u);
  EXPECT_EQ(map.find("token0"), 0);
  EXPECT_EQ(map.find("token999"), 999);
  EXPECT_EQ(map.find("token1000"), TokenMap::kMissing);
  EXPECT_EQ(map.find(""), TokenMap::kMissing);
  EXPECT_EQ(map.max_key_size(), 8u);
}

TEST(TokenMap, LaterInsertReplacesTheId) {
  TokenMap map;
  map.insert("dup", 1);
  map.insert("dup", 7);
  EXPECT_EQ(map.find("dup"), 7);
  EXPECT_EQ(map.size(), 1u);
}

}  // namespace
}  // namespace rerankd::text
