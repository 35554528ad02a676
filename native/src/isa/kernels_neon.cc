// The neon kernel path. aarch64 only: NEON is part of the baseline there.
// Everything below lives in an anonymous namespace: no inline or template code is shared
// with another ISA's translation unit, so the linker can never hand baseline code a copy
// that was compiled with wider instructions (the classic dispatching-binary SIGILL).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <arm_neon.h>
#include "../kernels.h"

#define SOFTAC_ISA_NAME "neon"
#define SOFTAC_ISA_NEON 1

namespace {
#include "vec_neon.h"
#include "math.inc"
#include "elementwise.inc"
#include "gemm_neon.inc"
#include "gemm.inc"
#include "peak.inc"
#include "table.inc"
}  // namespace

extern "C" const softac_kernel_table* softac_kernels_neon(void) { return &k_table; }
