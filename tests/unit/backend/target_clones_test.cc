#include "backend/target_clones.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace rerankd::backend {
namespace {

// A kernel cloned the way the cpu and reference backends clone theirs. Under ThreadSanitizer,
// GCC's ifunc resolver for a plain target_clones attribute ran instrumented from the dynamic
// loader, before the TSan runtime was up, and this executable died with SIGSEGV before main
// (issue 19): the test binary loading and running at all under `scripts/sanitize.sh thread` is
// the check; in the other builds it checks that every copy computes the same thing.
RERANKD_TARGET_CLONES("arch=x86-64-v4", "arch=x86-64-v3", "default")
std::int64_t sum_of_squares(const std::int32_t* values, std::int64_t count) {
  std::int64_t sum = 0;
  for (std::int64_t i = 0; i < count; ++i) sum += std::int64_t{values[i]} * values[i];
  return sum;
}

TEST(TargetClones, ACloneKernelLoadsAndRunsInEveryBuild) {
  std::int32_t values[37];
  for (std::int32_t i = 0; i < 37; ++i) values[i] = i - 18;
  EXPECT_EQ(sum_of_squares(values, 37), 2 * (18 * 19 * 37) / 6);
}

}  // namespace
}  // namespace rerankd::backend
