// The avx2 kernel path. Built with -mavx2 -mfma (see CMakeLists.txt / binding.gyp); only called after CPUID says so.
// Everything below lives in an anonymous namespace: no inline or template code is shared
// with another ISA's translation unit, so the linker can never hand baseline code a copy
// that was compiled with wider instructions (the classic dispatching-binary SIGILL).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <immintrin.h>
#include "../kernels.h"

#define SOFTAC_ISA_NAME "avx2"
#define SOFTAC_ISA_AVX2 1

namespace {
#include "vec_avx2.h"
#include "math.inc"
#include "elementwise.inc"
#include "gemm_avx2.inc"
#include "gemm.inc"
#include "peak.inc"
#include "table.inc"
}  // namespace

extern "C" const softac_kernel_table* softac_kernels_avx2(void) { return &k_table; }
