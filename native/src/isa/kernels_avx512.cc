// The avx512 kernel path. Built with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma; only called after CPUID+XGETBV say so.
// Everything below lives in an anonymous namespace: no inline or template code is shared
// with another ISA's translation unit, so the linker can never hand baseline code a copy
// that was compiled with wider instructions (the classic dispatching-binary SIGILL).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <immintrin.h>
#include "../kernels.h"

#define SOFTAC_ISA_NAME "avx512"
#define SOFTAC_ISA_AVX512 1

namespace {
namespace avx2 {
#include "vec_avx2.h"  // the vector GEMM packs with (see gemm_avx512.inc)
}  // namespace avx2
#include "vec_avx512.h"
#include "math.inc"
#include "elementwise.inc"
#include "gemm_avx512.inc"
#include "gemm.inc"
#include "peak.inc"
#include "table.inc"
}  // namespace

extern "C" const softac_kernel_table* softac_kernels_avx512(void) { return &k_table; }
