// Facts about the machine a run measured on, recorded in every results file: CPU model, cores
// and SIMD flags from /proc/cpuinfo, GPUs from nvidia-smi when present, the OS, and the build
// type and git commit compiled in.
#pragma once

#include "bench/results.h"

namespace rerankd::bench {

MachineInfo collect_machine_info();

}  // namespace rerankd::bench
