// What ops.cc needs from pool.cc and dispatch.cc, for the WebAssembly build: one thread (a
// WebAssembly instance without shared memory runs on its caller's thread) and one kernel
// path (SIMD128). ops.cc splits work by shape only, so running its tasks in order on one
// thread gives the bits any thread count gives.
#include "../dispatch.h"
#include "../pool.h"

namespace softac {

void set_num_threads(int) {}
int num_threads() { return 1; }

void parallel_for(int64_t ntasks, TaskFn fn, void* ctx) {
  for (int64_t t = 0; t < ntasks; ++t) fn(ctx, t);
}

// ops.cc asks for the active table only; the rest of dispatch.h (choosing a path) has no
// meaning here and is left undefined, so nothing links it in.
const softac_kernel_table* active() { return softac_kernels_wasm(); }

}  // namespace softac

// gemm.inc's per-thread packing scratch is a thread_local with a destructor, which the
// compiler registers here. The instance's one thread never exits (its memory goes when the
// instance is dropped), so there is nothing to run; wasi-libc has no thread-exit machinery.
extern "C" int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }
