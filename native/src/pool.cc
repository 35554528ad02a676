#include "pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SOFTAC_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define SOFTAC_CPU_RELAX() __asm__ volatile("yield")
#else
#define SOFTAC_CPU_RELAX() ((void)0)
#endif

namespace softac {
namespace {

thread_local int t_index = 0;  // see thread_index()

// A worker spins this many pauses (tens of microseconds) before sleeping on the condition
// variable: SAC issues dozens of sub-millisecond kernels back to back, and a futex wake-up
// per kernel would cost more than the work.
constexpr int kSpinIterations = 20000;

class Pool {
 public:
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // n threads in all: the caller plus n - 1 workers.
  void resize(int n) {
    std::lock_guard<std::mutex> busy(busy_);
    stop_workers();
    // Each worker starts from the generation current now, read before it is spawned: a
    // worker that read it later could miss a run() that began meanwhile and wait forever.
    const uint64_t gen = generation_.load(std::memory_order_acquire);
    for (int i = 1; i < n; ++i)
      workers_.emplace_back([this, gen, i] {
        t_index = i;
        worker_loop(gen);
      });
  }

  void run(int64_t ntasks, TaskFn fn, void* ctx) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock() || workers_.empty() || ntasks == 1) {
      for (int64_t t = 0; t < ntasks; ++t) fn(ctx, t);
      return;
    }
    barriers_.fetch_add(1, std::memory_order_relaxed);
    fn_ = fn;
    ctx_ = ctx;
    ntasks_ = ntasks;
    next_.store(0, std::memory_order_relaxed);
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(m_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    drain();
    // Workers that found no task left still check in, so fn_/ctx_ stay valid until then.
    // The workers are about done (each has only its last task to finish): spin on pause
    // first, then give the core away. A yield is a system call, and with ~100 waits per SAC
    // update the calls alone showed up in the profile.
    for (int i = 0; pending_.load(std::memory_order_acquire) != 0; ++i) {
      if (i < kSpinIterations)
        SOFTAC_CPU_RELAX();
      else
        std::this_thread::yield();
    }
  }

 private:
  void drain() {
    for (;;) {
      const int64_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= ntasks_) return;
      fn_(ctx_, t);
    }
  }

  void worker_loop(uint64_t seen) {
    for (;;) {
      for (int i = 0; i < kSpinIterations; ++i) {
        if (generation_.load(std::memory_order_acquire) != seen) break;
        SOFTAC_CPU_RELAX();
      }
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return generation_.load(std::memory_order_acquire) != seen || quit_; });
        if (quit_) return;
      }
      seen = generation_.load(std::memory_order_acquire);
      drain();
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(m_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
    quit_ = false;
  }

  std::mutex busy_;  // held by the one caller that owns the workers for a run
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  bool quit_ = false;
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t ntasks_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> pending_{0};

 public:
  std::atomic<uint64_t> barriers_{0};
};

int default_threads() {
  const unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : (hc > static_cast<unsigned>(kMaxThreads) ? kMaxThreads : static_cast<int>(hc));
}

std::atomic<int> g_threads{0};

Pool& pool() {
  // Leaked on purpose: joining threads from a static destructor at process exit can
  // deadlock with Node's own teardown; the OS reclaims them.
  static Pool* p = [] {
    auto* q = new Pool();
    const int n = g_threads.load() ? g_threads.load() : default_threads();
    g_threads.store(n);
    q->resize(n);
    return q;
  }();
  return *p;
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) n = 1;
  if (n > kMaxThreads) n = kMaxThreads;
  Pool& p = pool();
  if (p.size() != n) p.resize(n);
  g_threads.store(n);
}

int num_threads() {
  pool();
  return g_threads.load();
}

int thread_index() { return t_index; }

thread_local ForkHook t_hook = nullptr;
thread_local void* t_hook_self = nullptr;

void set_fork_hook(ForkHook hook, void* self) {
  t_hook = hook;
  t_hook_self = self;
}

uint64_t barrier_count() { return pool().barriers_.load(std::memory_order_relaxed); }

void parallel_for(int64_t ntasks, TaskFn fn, void* ctx) {
  if (ntasks <= 0) return;
  if (t_hook) return t_hook(t_hook_self, ntasks, fn, ctx);
  pool().run(ntasks, fn, ctx);
}

}  // namespace softac
