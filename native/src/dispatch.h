// Which kernel path runs: chosen once at load from the CPU's features, or forced with
// SOFTAC_SIMD=scalar|avx2|avx512|neon, or switched at run time (tests and benchmarks).
#pragma once
#include <string>
#include <vector>

#include "kernels.h"

namespace softac {

// The paths this binary was compiled with, in order of preference (widest last).
std::vector<std::string> compiled_paths();
// Whether this CPU (and its OS, for the AVX register state) can run a path.
bool cpu_supports(const std::string& path);
// compiled_paths() that cpu_supports(): the ones a user may select.
std::vector<std::string> runnable_paths();
// The table of a compiled path, or nullptr (no check of CPU support: the native test
// driver uses this only for runnable paths).
const softac_kernel_table* table_for(const std::string& path);

// The active table. The first call picks SOFTAC_SIMD if set (and valid), else the widest
// runnable path.
const softac_kernel_table* active();
// Select a path; false with a message saying why (unknown, not compiled, not supported).
bool select_path(const std::string& path, std::string* why);
// The SOFTAC_SIMD value was bad: the message, else empty. Checked by the addon at load.
const std::string& env_error();

}  // namespace softac
