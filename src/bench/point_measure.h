// One grid point measured against rerankd itself: its target from the pool, its workload, the
// load run, and the point that records it (not_built when the backend is not in this build,
// failed with the reason when anything else stops it).
#pragma once

#include <filesystem>

#include "bench/load_generator.h"
#include "bench/results.h"
#include "bench/sweep.h"
#include "bench/target_pool.h"

namespace rerankd::bench {

ResultPoint measure_point(TargetPool& pool, const GridPoint& point,
                          const std::filesystem::path& data_dir, const ProgressFn& progress);

}  // namespace rerankd::bench
