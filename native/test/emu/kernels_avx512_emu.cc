// The avx512 kernel path's own source (native/src/isa/kernels_avx512.cc, same includes in
// the same order), built without AVX-512 (-mavx2 -mfma) against avx512_emu.h, so the test
// driver softac_native_test_avx512emu checks that path's logic on any AVX2+FMA machine.
// It differs from the production file only in the line that includes the emulation; keep
// the two in step when the production includes change.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <immintrin.h>
#include "avx512_emu.h"  // after <immintrin.h>: its macros replace the _mm512_* intrinsics
#include "../../src/kernels.h"

#define SOFTAC_ISA_NAME "avx512"
#define SOFTAC_ISA_AVX512 1

namespace {
namespace avx2 {
#include "../../src/isa/vec_avx2.h"
}  // namespace avx2
#include "../../src/isa/vec_avx512.h"
#include "../../src/isa/math.inc"
#include "../../src/isa/elementwise.inc"
#include "../../src/isa/gemm_avx512.inc"
#include "../../src/isa/gemm.inc"
#include "../../src/isa/peak.inc"
#include "../../src/isa/table.inc"
}  // namespace

extern "C" const softac_kernel_table* softac_kernels_avx512(void) { return &k_table; }
