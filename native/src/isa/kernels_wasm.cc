// The WebAssembly SIMD128 kernel path (wasm32, -msimd128): the same generic sources as the
// native paths, over vec_wasm.h. Built by scripts/build-wasm.mjs into wasm/softac.wasm, never
// into the addon. Everything lives in an anonymous namespace, as in the other ISA units.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <wasm_simd128.h>
#include "../kernels.h"

#define SOFTAC_ISA_NAME "wasm"
#define SOFTAC_ISA_WASM 1
#define SOFTAC_DOT_ROWS 1  // see dot_rows_block in elementwise.inc

namespace {
#include "vec_wasm.h"
#include "math.inc"
#include "elementwise.inc"
#include "gemm_wasm.inc"
#include "gemm.inc"
#include "peak.inc"
#include "table.inc"
}  // namespace

extern "C" const softac_kernel_table* softac_kernels_wasm(void) { return &k_table; }
