// RERANKD_TARGET_CLONES(...): GCC's target_clones (one copy of a kernel per ISA, the best one
// picked at load time), except under ThreadSanitizer.
//
// Why not under TSan (issue 19): the copy is picked by an ifunc resolver that the dynamic loader
// runs while it relocates the executable, before any sanitizer runtime is initialised. GCC 12
// instruments that resolver like any function (its first call is __tsan_func_entry), so every
// TSan-built binary with a cpu or reference backend kernel (rerankd, the backend and engine tests)
// died with SIGSEGV before main, in <kernel>.resolver called from elf_machine_lazy_rel. TSan builds
// take the baseline copy only: the kernels are the same code, and TSan is there for the threads
// around them, not for the ISA paths. ASan and UBSan keep the clones (their runtimes tolerate the
// early call; the asan build runs the v3/v4 copies).
#pragma once

#if defined(__SANITIZE_THREAD__)
#define RERANKD_TARGET_CLONES(...)
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RERANKD_TARGET_CLONES(...)
#endif
#endif

#ifndef RERANKD_TARGET_CLONES
#define RERANKD_TARGET_CLONES(...) __attribute__((target_clones(__VA_ARGS__)))
#endif
