// A small persistent thread pool. Work is always split into a fixed set of disjoint tasks
// chosen by the caller from the shapes (never from timing), so results are bit-identical
// whatever the thread count or which thread runs which task.
#pragma once
#include <cstdint>

namespace softac {

// 1..kMaxThreads; defaults to the number of online cores (std::thread::hardware_concurrency).
constexpr int kMaxThreads = 256;
void set_num_threads(int n);
int num_threads();
// Fork-joins so far that woke the workers (a run of one task, or with the pool busy or
// empty, is not one): the barriers a workload pays, counted for scripts/profile-update.mjs.
uint64_t barrier_count();

// Which thread of the pool this is: 0 for any thread outside it (the caller of
// parallel_for, Node's main thread), 1..n-1 for its workers. For locality only (plan.cc
// keeps each lane's calls on one thread, so their data stays in that core's caches);
// never for the split of any work.
int thread_index();

using TaskFn = void (*)(void* ctx, int64_t task);
// Runs fn(ctx, t) for t in [0, ntasks) on the pool (the calling thread helps) and returns
// when all are done. Safe to call from several threads at once (e.g. Node worker_threads):
// a caller that finds the pool busy runs its tasks itself, with the same results.
void parallel_for(int64_t ntasks, TaskFn fn, void* ctx);

// A thread that runs one lane of a plan (plan.cc) routes the parallel_for calls of the
// kernels it runs to its plan, which shares the tasks with the plan's idle lanes (the pool
// itself is busy running the lanes). Null restores the pool. Per thread.
using ForkHook = void (*)(void* self, int64_t ntasks, TaskFn fn, void* ctx);
void set_fork_hook(ForkHook hook, void* self);

template <class F>
void parallel_for(int64_t ntasks, F&& f) {
  parallel_for(ntasks, [](void* c, int64_t t) { (*static_cast<F*>(c))(t); }, &f);
}

}  // namespace softac
