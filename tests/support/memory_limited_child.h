// Running a piece of a test in a forked child under an address-space limit, so that code which
// would exhaust memory fails the test (exit 134 on bad_alloc, or the limit's 137) instead of
// taking the machine with it.
#pragma once

#include <cstddef>
#include <functional>

namespace rerankd::testing {

// Forks; the child sets RLIMIT_AS to `bytes` (not under AddressSanitizer, whose shadow memory
// needs terabytes of address space) and exits with what `body` returns. Returns the child's exit
// code, or 128 + signal when a signal ended it.
int run_in_child_with_memory_limit(std::size_t bytes, const std::function<int()>& body);

}  // namespace rerankd::testing
