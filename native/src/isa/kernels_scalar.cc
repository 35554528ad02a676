// The scalar kernel path. Portable C++ with no ISA flags: the fallback every other path is checked against.
// Everything below lives in an anonymous namespace: no inline or template code is shared
// with another ISA's translation unit, so the linker can never hand baseline code a copy
// that was compiled with wider instructions (the classic dispatching-binary SIGILL).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "../kernels.h"

#define SOFTAC_ISA_NAME "scalar"
#define SOFTAC_ISA_SCALAR 1

namespace {
#include "vec_scalar.h"
#include "math.inc"
#include "elementwise.inc"
#include "gemm_scalar.inc"
#include "gemm.inc"
#include "peak.inc"
#include "table.inc"
}  // namespace

extern "C" const softac_kernel_table* softac_kernels_scalar(void) { return &k_table; }
