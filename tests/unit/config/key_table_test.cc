#include "config/key_table.h"

#include <gtest/gtest.h>

#include <set>

#include "config/config.h"

namespace rerankd::config {
namespace {

TEST(ConfigKeys, FileOrderAndComplete) {
  const std::vector<std::string> keys = config_keys();
  ASSERT_EQ(keys.size(), 35u);  // 6 model + 7 batching + 22 server fields in config.h
  EXPECT_EQ(keys.front(), "model.path");
  EXPECT_EQ(keys[6], "batching.enabled");
  EXPECT_EQ(keys[13], "server.host");
  EXPECT_EQ(keys.back(), "server.api_key");
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size());
}

TEST(ConfigKeys, EveryKeyPointsAtItsOwnField) {
  // Setting each key through the table must change exactly one field, and a different one for
  // each key: a copy-paste slip in the table (two keys, one field) fails here.
  const Config defaults;
  std::set<std::string> changed_fields;
  for (const KeySpec& spec : key_table()) {
    Config config;
    FieldRef field = spec.field(config);
    std::visit(
        [](auto* value) {
          using T = std::remove_pointer_t<decltype(value)>;
          if constexpr (std::is_same_v<T, bool>) {
            *value = !*value;
          } else if constexpr (std::is_same_v<T, std::string>) {
            *value += "x";
          } else if constexpr (std::is_same_v<T, std::vector<int>>) {
            value->push_back(7);
          } else {
            *value += 1;
          }
        },
        field);
    EXPECT_NE(config, defaults) << spec.key;
    // to_yaml would print the redacted api_key, so compare the raw addresses instead.
    const auto* base = reinterpret_cast<const char*>(&config);
    const auto* address =
        std::visit([](auto* value) { return reinterpret_cast<const char*>(value); }, field);
    changed_fields.insert(std::to_string(address - base));
    EXPECT_FALSE(spec.help.empty()) << spec.key;
  }
  EXPECT_EQ(changed_fields.size(), key_table().size());
}

}  // namespace
}  // namespace rerankd::config
