#include "plan.h"

#include <atomic>
#include <memory>
#include <thread>
#include <cmath>
#include <cstring>

#include "ops.h"
#include "pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SOFTAC_PLAN_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define SOFTAC_PLAN_RELAX() __asm__ volatile("yield")
#else
#define SOFTAC_PLAN_RELAX() ((void)0)
#endif

namespace softac {
namespace {

// The encoding of one call: opcode, argument count, then the arguments, each a double: a
// buffer argument is an index into the plan's buffers (-1 for null), a dim an integer, a
// boolean 0 or 1. The signature of each call, one letter per argument:
//   O output buffer, o output or null, F input buffer, f input or null,
//   I dim (integer >= 0), N number, B boolean.
// An output is also read (the backward calls accumulate into theirs).
// concat and concatBackward are variadic: (dst, rows, count, then count pairs (src, width)).
struct OpSpec {
  const char* name;
  const char* sig;
  bool alias_exact;  // an output may be the very same view as an input (add, mul, scale)
};

enum Op {
  kGemm, kLinearForward, kLinearBackward, kLinearInputGrad, kTanh, kExp, kLog, kSoftplus,
  kRelu, kTanhBackward, kReluBackward, kReluGrad, kMinimum, kAdd, kMul, kClamp,
  kClampBackward, kMinimumBackward, kAxpy, kScale, kSumRows, kSumColsAcc, kSquashForward,
  kSquashBackward, kAdam, kPolyak, kFill,
  // The steps of the tape's ops that are JavaScript loops (src/autograd/host.ts), with the
  // same arithmetic (JavaScript's: double, rounded to float32 at each store).
  kReduceAll, kSpread, kAxpyScaled, kConcat, kConcatBackward, kOpCount
};

const OpSpec kSpecs[kOpCount] = {
    {"gemm", "BBIIINFFNO", false},
    {"linearForward", "OFFfIIIB", false},
    {"linearBackward", "oooFFFIII", false},
    {"linearInputGrad", "OFFfIII", false},
    {"tanh", "OF", false},
    {"exp", "OF", false},
    {"log", "OF", false},
    {"softplus", "OF", false},
    {"relu", "OF", false},
    {"tanhBackward", "OFF", false},
    {"reluBackward", "OFF", false},
    {"reluGrad", "OFF", false},
    {"minimum", "OFF", false},
    {"add", "OFF", true},
    {"mul", "OFF", true},
    {"clamp", "OFNN", false},
    {"clampBackward", "OFFNN", false},
    {"minimumBackward", "OOFFF", false},
    {"axpy", "ONF", false},
    {"scale", "OFN", true},
    {"sumRows", "OFII", false},
    {"sumColsAcc", "OFII", false},
    {"squashForward", "OoFFFFFII", false},
    {"squashBackward", "OOffFFFFII", false},
    {"adam", "OFOONNNNNN", false},
    {"polyak", "OFN", false},
    {"fill", "ON", false},
    {"reduceAll", "OFI", false},
    {"spread", "OFIN", false},
    {"axpyScaled", "OFFNN", false},
    {"concat", "", false},
    {"concatBackward", "", false},
};

constexpr int kMaxArgs = 16;
constexpr int kMaxConcat = (kMaxArgs - 3) / 2;
constexpr double kMaxDim = 2147483647.0;

}  // namespace

// One decoded call: per argument position, its buffer (p, n; p null when absent) or value.
struct PlanStep {
  int op;
  int nargs;
  float* p[kMaxArgs];
  int64_t n[kMaxArgs];
  double v[kMaxArgs];
  char kind[kMaxArgs];  // the signature letter of each argument
};

constexpr int kMaxLanes = 8;

struct alignas(64) PaddedInt {
  std::atomic<int> v{0};
};
// Idle rounds a lane spins (with pause) before it yields its core: as the pool's workers.
constexpr int kIdleSpins = 20000;

// The tasks a lane's kernel shares (its parallel_for, see pool.h's fork hook): the lane
// runs them itself and idle lanes take some. fn, ctx and ntasks are written before
// `active` is set and read after it is seen set; the owner returns only once no helper is
// inside (helpers == 0), so it never rewrites them under a helper.
struct alignas(64) Slot {
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  int64_t ntasks = 0;
  std::atomic<int64_t> next{0};
  std::atomic<bool> active{false};
  std::atomic<int> helpers{0};
};

class Plan;

struct Lane {
  Plan* plan;
  int me;
};

class Plan {
 public:
  std::vector<PlanStep> steps;
  // deps[j]: the earlier steps that step j must follow (they write what it touches, or
  // touch what it writes).
  std::vector<std::vector<int>> deps;
  // Per run: 0 waiting, 1 running, 2 done. Allocated once, with the plan. Each on its own
  // cache line, as the counters below: a lane's writes then take no line from the cores of
  // the other lanes unless they read that very step (a dependency), where a shared line
  // cost each step of a chain of small calls about a microsecond between two vCPUs that
  // share no cache.
  std::unique_ptr<PaddedInt[]> state;
  PaddedInt lane_done[kMaxLanes];  // steps each lane ran in this run
  std::atomic<int64_t> lane_steps[kMaxLanes] = {};
  Slot slots[kMaxLanes];
  Lane lanes[kMaxLanes];
  // home[j]: the lane (thread_index()) that runs step j while that lane's thread takes part
  // in the run, from a simulated schedule for home_lanes lanes (assign_homes).
  std::vector<int> home;
  int home_lanes = 0;
  PaddedInt active[kMaxLanes];
};

namespace {

std::string arg_name(int step, const PlanStep& s, int i) {
  return "plan step " + std::to_string(step) + " (" + kSpecs[s.op].name + "), argument " +
         std::to_string(i);
}

// The signature of a decoded variadic call.
std::string variadic_sig(int op, int count) {
  std::string sig = op == kConcat ? "OII" : "FII";
  for (int j = 0; j < count; ++j) sig += op == kConcat ? "FI" : "oI";
  return sig;
}

// Lengths, as the addon's entry point of each call checks them. Empty when fine.
std::string check_lengths(const PlanStep& s) {
  const int64_t* n = s.n;
  const double* v = s.v;
  const auto need = [&](int i, int64_t expected, const char* what) -> std::string {
    if (s.p[i] == nullptr || n[i] == expected) return {};
    return "argument " + std::to_string(i) + " must have length " + what + " = " +
           std::to_string(expected) + ", got " + std::to_string(n[i]);
  };
  std::string e;
  const auto all = [&](std::initializer_list<std::string> l) {
    for (const auto& x : l)
      if (!x.empty()) return x;
    return std::string();
  };
  const auto I = [&](int i) { return static_cast<int64_t>(v[i]); };
  switch (s.op) {
    case kGemm: {
      if (v[0] != 0 && v[1] != 0) return "transA and transB together (TT) is not supported";
      const int64_t m = I(2), nn = I(3), k = I(4);
      return all({need(6, m * k, "m*k"), need(7, k * nn, "k*n"), need(9, m * nn, "m*n")});
    }
    case kLinearForward: {
      const int64_t B = I(4), In = I(5), O = I(6);
      return all({need(0, B * O, "B*O"), need(1, B * In, "B*I"), need(2, O * In, "O*I"), need(3, O, "O")});
    }
    case kLinearBackward: {
      const int64_t B = I(6), In = I(7), O = I(8);
      return all({need(0, B * In, "B*I"), need(1, O * In, "O*I"), need(2, O, "O"), need(3, B * O, "B*O"),
                  need(4, B * In, "B*I"), need(5, O * In, "O*I")});
    }
    case kLinearInputGrad: {
      const int64_t B = I(4), In = I(5), O = I(6);
      return all({need(0, B * In, "B*I"), need(1, B * O, "B*O"), need(2, O * In, "O*I"), need(3, B * In, "B*I")});
    }
    case kClamp:
      if (!(v[2] <= v[3])) return "lo must be <= hi";
      return need(0, n[1], "x.length");
    case kTanh: case kExp: case kLog: case kSoftplus: case kRelu:
      return need(0, n[1], "x.length");
    case kClampBackward:
      if (!(v[3] <= v[4])) return "lo must be <= hi";
      return all({need(1, n[0], "dx.length"), need(2, n[0], "dx.length")});
    case kTanhBackward: case kReluBackward: case kReluGrad: case kMinimum: case kAdd: case kMul:
      return all({need(1, n[0], "out.length"), need(2, n[0], "out.length")});
    case kMinimumBackward:
      return all({need(1, n[0], "da.length"), need(2, n[0], "da.length"), need(3, n[0], "da.length"),
                  need(4, n[0], "da.length")});
    case kAxpy:
      return need(2, n[0], "y.length");
    case kScale:
      return need(0, n[1], "x.length");
    case kSumRows:
      return all({need(0, I(2), "rows"), need(1, I(2) * I(3), "rows*cols")});
    case kSumColsAcc:
      return all({need(0, I(3), "cols"), need(1, I(2) * I(3), "rows*cols")});
    case kSquashForward: {
      const int64_t r = I(7), A = I(8);
      return all({need(0, r * A, "rows*A"), need(1, r, "rows"), need(2, r * A, "rows*A"), need(3, r * A, "rows*A"),
                  need(4, r * A, "rows*A"), need(5, A, "A"), need(6, A, "A")});
    }
    case kSquashBackward: {
      const int64_t r = I(8), A = I(9);
      return all({need(0, r * A, "rows*A"), need(1, r * A, "rows*A"), need(2, r * A, "rows*A"), need(3, r, "rows"),
                  need(4, r * A, "rows*A"), need(5, r * A, "rows*A"), need(6, r * A, "rows*A"), need(7, A, "A")});
    }
    case kAdam: {
      if (!(v[4] >= 1 && std::floor(v[4]) == v[4])) return "t must be an integer >= 1";
      if (!(v[5] >= 0 && std::isfinite(v[5]))) return "lr must be a finite number >= 0";
      if (!(v[6] >= 0 && v[6] < 1 && v[7] >= 0 && v[7] < 1)) return "beta1 and beta2 must be in [0, 1)";
      if (!(v[8] >= 0 && v[9] >= 0)) return "eps and weightDecay must be >= 0";
      return all({need(1, n[0], "p.length"), need(2, n[0], "p.length"), need(3, n[0], "p.length")});
    }
    case kPolyak:
      if (!(v[2] >= 0 && v[2] <= 1)) return "polyak must be in [0, 1]";
      return need(1, n[0], "targ.length");
    case kFill:
      return {};
    case kReduceAll:
      if (I(2) > 2) return "mode must be 0 (sum), 1 (mean) or 2 (add the sum)";
      return need(0, 1, "1");
    case kSpread:
      return need(0, n[1] * I(2), "dy.length*cols");
    case kAxpyScaled:
      if (n[2] < 1) return "argument 2 (the scalar) must have at least one element";
      return need(1, n[0], "y.length");
    case kConcat: case kConcatBackward: {
      const int64_t rows = I(1), count = I(2);
      int64_t width = 0;
      for (int j = 0; j < count; ++j) {
        e = need(3 + 2 * j, rows * I(4 + 2 * j), "rows*width");
        if (!e.empty()) return e;
        width += I(4 + 2 * j);
      }
      return need(0, rows * width, "rows*(sum of widths)");
    }
    default:
      return "unknown call";
  }
}

bool overlaps(const PlanStep& s, int i, int j) {
  if (!s.p[i] || !s.p[j] || s.n[i] == 0 || s.n[j] == 0) return false;
  return s.p[i] < s.p[j] + s.n[j] && s.p[j] < s.p[i] + s.n[i];
}

bool is_buffer(char c) { return c == 'O' || c == 'o' || c == 'F' || c == 'f'; }
bool is_output(char c) { return c == 'O' || c == 'o'; }

// The one overlap rule of every entry point: an output shares memory with no other
// argument, except the very same view where the call allows it (add, mul, scale).
std::string check_overlap(const PlanStep& s) {
  for (int i = 0; i < s.nargs; ++i) {
    if (!is_output(s.kind[i])) continue;
    for (int j = 0; j < s.nargs; ++j) {
      if (j == i || !is_buffer(s.kind[j]) || !overlaps(s, i, j)) continue;
      const bool exact = s.p[i] == s.p[j] && s.n[i] == s.n[j];
      if (kSpecs[s.op].alias_exact && exact && !is_output(s.kind[j])) continue;
      return "argument " + std::to_string(i) + " must not overlap argument " + std::to_string(j) +
             ": they share memory";
    }
  }
  return {};
}

void run_step(const PlanStep& s) {
  float* const* p = s.p;
  const double* v = s.v;
  const auto I = [&](int i) { return static_cast<int64_t>(v[i]); };
  const auto f = [&](int i) { return static_cast<float>(v[i]); };
  switch (s.op) {
    case kGemm: gemm(v[0] != 0, v[1] != 0, I(2), I(3), I(4), f(5), p[6], p[7], f(8), p[9]); break;
    case kLinearForward: linear_forward(p[0], p[1], p[2], p[3], I(4), I(5), I(6), v[7] != 0); break;
    case kLinearBackward: linear_backward(p[0], p[1], p[2], p[3], p[4], p[5], I(6), I(7), I(8)); break;
    case kLinearInputGrad: linear_input_grad(p[0], p[1], p[2], p[3], I(4), I(5), I(6)); break;
    case kTanh: tanh_forward(p[0], p[1], s.n[1]); break;
    case kExp: exp_forward(p[0], p[1], s.n[1]); break;
    case kLog: log_forward(p[0], p[1], s.n[1]); break;
    case kSoftplus: softplus_forward(p[0], p[1], s.n[1]); break;
    case kRelu: relu_forward(p[0], p[1], s.n[1]); break;
    case kTanhBackward: tanh_backward(p[0], p[1], p[2], s.n[0]); break;
    case kReluBackward: relu_backward(p[0], p[1], p[2], s.n[0]); break;
    case kReluGrad: relu_grad(p[0], p[1], p[2], s.n[0]); break;
    case kMinimum: minimum_forward(p[0], p[1], p[2], s.n[0]); break;
    case kAdd: add(p[0], p[1], p[2], s.n[0]); break;
    case kMul: mul(p[0], p[1], p[2], s.n[0]); break;
    case kClamp: clamp_forward(p[0], p[1], f(2), f(3), s.n[1]); break;
    case kClampBackward: clamp_backward(p[0], p[1], p[2], f(3), f(4), s.n[0]); break;
    case kMinimumBackward: minimum_backward(p[0], p[1], p[2], p[3], p[4], s.n[0]); break;
    case kAxpy: axpy(p[0], f(1), p[2], s.n[0]); break;
    case kScale: scale(p[0], p[1], f(2), s.n[1]); break;
    case kSumRows: sum_rows(p[0], p[1], I(2), I(3)); break;
    case kSumColsAcc: sum_cols_acc(p[0], p[1], I(2), I(3)); break;
    case kSquashForward: squash_forward(p[0], p[1], p[2], p[3], p[4], p[5], p[6], I(7), I(8)); break;
    case kSquashBackward:
      squash_backward(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], I(8), I(9));
      break;
    case kAdam: adam(p[0], p[1], p[2], p[3], s.n[0], I(4), v[5], v[6], v[7], v[8], v[9]); break;
    case kPolyak: polyak(p[0], p[1], v[2], s.n[0]); break;
    case kFill: fill(p[0], f(1), s.n[0]); break;
    case kReduceAll: {
      // As the addon's sum and mean (a float32 sum; the mean divided in float32), stored
      // by JavaScript: out = sum, out = mean, or out += sum (added in double, then rounded).
      const float sm = sum(p[1], s.n[1]);
      if (I(2) == 0)
        p[0][0] = sm;
      else if (I(2) == 1)
        p[0][0] = s.n[1] == 0 ? NAN : sm / static_cast<float>(s.n[1]);
      else
        p[0][0] = static_cast<float>(static_cast<double>(p[0][0]) + static_cast<double>(sm));
      break;
    }
    case kSpread: {
      // dx[r*cols + c] += dy[r] * f, in double as host.ts's loop.
      const int64_t cols = I(2);
      for (int64_t r = 0; r < s.n[1]; ++r) {
        const double d = static_cast<double>(p[1][r]) * v[3];
        float* row = p[0] + r * cols;
        for (int64_t c = 0; c < cols; ++c) row[c] = static_cast<float>(static_cast<double>(row[c]) + d);
      }
      break;
    }
    case kAxpyScaled:
      // y += ((c1 * src[0]) / c2) x: the scalar in double as JavaScript forms it, then the
      // axpy kernel (which rounds it to float32, as the entry point does).
      axpy(p[0], static_cast<float>((v[3] * static_cast<double>(p[2][0])) / v[4]), p[1], s.n[0]);
      break;
    case kConcat: case kConcatBackward: {
      const int64_t rows = I(1), count = I(2);
      int64_t width = 0;
      for (int j = 0; j < count; ++j) width += I(4 + 2 * j);
      for (int64_t col = 0, j = 0; j < count; col += I(4 + 2 * j), ++j) {
        const int64_t w = I(4 + 2 * j);
        float* x = p[3 + 2 * j];
        if (!x) continue;
        for (int64_t r = 0; r < rows; ++r) {
          float* wide = p[0] + r * width + col;
          float* part = x + r * w;
          if (s.op == kConcat)
            std::memcpy(wide, part, static_cast<size_t>(w) * sizeof(float));
          else
            for (int64_t c = 0; c < w; ++c) part[c] = static_cast<float>(static_cast<double>(part[c]) + static_cast<double>(wide[c]));
        }
      }
      break;
    }
    default: break;
  }
}

// Which memory a step reads and writes (outputs count as both: the backward steps
// accumulate), and whether two steps conflict: one writes what the other touches.
bool conflict(const PlanStep& a, const PlanStep& b) {
  for (int i = 0; i < a.nargs; ++i) {
    if (!is_buffer(a.kind[i]) || !a.p[i] || a.n[i] == 0) continue;
    for (int j = 0; j < b.nargs; ++j) {
      if (!is_buffer(b.kind[j]) || !b.p[j] || b.n[j] == 0) continue;
      if (!is_output(a.kind[i]) && !is_output(b.kind[j])) continue;
      if (a.p[i] < b.p[j] + b.n[j] && b.p[j] < a.p[i] + a.n[i]) return true;
    }
  }
  return false;
}

void find_deps(Plan* plan) {
  const size_t n = plan->steps.size();
  plan->deps.assign(n, {});
  for (size_t j = 0; j < n; ++j)
    for (size_t i = 0; i < j; ++i)
      if (conflict(plan->steps[i], plan->steps[j])) plan->deps[j].push_back(static_cast<int>(i));
  plan->state.reset(new PaddedInt[n]);
}

// Takes tasks of another lane's shared kernel, if one is running; false if none was.
bool help(Plan* plan, int me, int lanes) {
  for (int l = 0; l < lanes; ++l) {
    Slot& s = plan->slots[l];
    if (l == me || !s.active.load(std::memory_order_acquire)) continue;
    s.helpers.fetch_add(1, std::memory_order_acq_rel);
    if (s.active.load(std::memory_order_acquire)) {
      for (;;) {
        const int64_t t = s.next.fetch_add(1, std::memory_order_acq_rel);
        if (t >= s.ntasks) break;
        s.fn(s.ctx, t);
      }
    }
    s.helpers.fetch_sub(1, std::memory_order_release);
    return true;
  }
  return false;
}

// A lane's kernel splits its work (parallel_for): the lane runs the tasks, and any idle
// lane joins in (help). The split is the one the kernel always makes, so the bits are too.
void share(void* self, int64_t ntasks, TaskFn fn, void* ctx) {
  const Lane* lane = static_cast<const Lane*>(self);
  Slot& s = lane->plan->slots[lane->me];
  s.fn = fn;
  s.ctx = ctx;
  s.ntasks = ntasks;
  s.next.store(0, std::memory_order_relaxed);
  s.active.store(true, std::memory_order_release);
  for (;;) {
    const int64_t t = s.next.fetch_add(1, std::memory_order_acq_rel);
    if (t >= ntasks) break;
    fn(ctx, t);
  }
  s.active.store(false, std::memory_order_release);
  while (s.helpers.load(std::memory_order_acquire) != 0) SOFTAC_PLAN_RELAX();
}

// A step's time in a simulated schedule, in nanoseconds: products at about 90
// multiply-adds per ns, the element-wise calls at about 4 elements per ns (one thread of
// the AVX-512 EPYC the figures of the README come from; only their ratio matters).
double sim_cost(const PlanStep& s);

// Gives each step a home lane: a list schedule of the steps in recorded order on `lanes`
// lanes, each step on the lane where it could start first, or on the lane that ran its
// costliest dependency when that starts it almost as early. A network's chain of calls
// then stays on one lane from run to run, and so its weights, activations and gradients
// stay in that core's caches: with the steps taken by whichever lane was free, they moved
// between the cores at every run, and on a VM whose two vCPUs share no cache (a round trip
// between them measured 500 ns) two lanes were 1.3x one lane where they are 1.8x with the
// data in place.
void assign_homes(Plan* plan, int lanes) {
  const size_t n = plan->steps.size();
  std::vector<double> finish(n, 0.0), cost(n, 0.0);
  double free_at[kMaxLanes] = {};
  plan->home.assign(n, 0);
  for (size_t j = 0; j < n; ++j) {
    cost[j] = sim_cost(plan->steps[j]);
    double ready = 0;
    int near = -1;  // the lane of the costliest dependency
    double near_cost = -1;
    for (int d : plan->deps[j]) {
      const size_t u = static_cast<size_t>(d);
      if (finish[u] > ready) ready = finish[u];
      if (cost[u] > near_cost) {
        near_cost = cost[u];
        near = plan->home[u];
      }
    }
    int best = 0;
    double best_start = 0;
    for (int l = 0; l < lanes; ++l) {
      const double start = free_at[l] > ready ? free_at[l] : ready;
      if (l == 0 || start < best_start) {
        best = l;
        best_start = start;
      }
    }
    if (near >= 0 && near != best) {
      const double start = free_at[near] > ready ? free_at[near] : ready;
      const double slack = cost[j] * 0.25 > 1000.0 ? cost[j] * 0.25 : 1000.0;
      if (start <= best_start + slack) {
        best = near;
        best_start = start;
      }
    }
    plan->home[j] = best;
    finish[j] = best_start + cost[j];
    free_at[best] = finish[j];
  }
  plan->home_lanes = lanes;
}

// One lane: runs the first step (in recorded order) whose dependencies are done, that no
// lane has taken and whose home is this lane (or a lane whose thread is not in the run),
// until every step is done; idle, it helps another lane's kernel.
void run_lane(Plan* plan, int me) {
  const int n = static_cast<int>(plan->steps.size());
  const int lanes = num_threads() < kMaxLanes ? num_threads() : kMaxLanes;
  // The home of this thread's steps: the pool's threads have distinct indices; a lane
  // that is not a pool thread (a caller outside the pool) is lane 0, as the caller is.
  const int mine = thread_index() < lanes ? thread_index() : 0;
  plan->active[mine].v.store(1, std::memory_order_release);
  set_fork_hook(&share, &plan->lanes[me]);
  // Every step below lo is done, or is the home of another lane that takes part in the run
  // (it runs its own steps: this lane never reads their state but as a dependency).
  int lo = 0;
  int idle = 0;  // rounds in a row with nothing to run or help with
  int64_t ran = 0;  // published once, at the end (a shared counter per step is a shared line)
  const auto foreign = [&](int i) {
    const int h = plan->home[static_cast<size_t>(i)];
    return h != mine && plan->active[h].v.load(std::memory_order_acquire) != 0;
  };
  const auto all_done = [&] {
    int sum = 0;
    for (int l = 0; l < lanes; ++l) sum += plan->lane_done[l].v.load(std::memory_order_acquire);
    return sum >= n;
  };
  for (;;) {
    while (lo < n && (foreign(lo) || plan->state[lo].v.load(std::memory_order_acquire) == 2)) ++lo;
    int picked = -1;
    for (int i = lo; i < n; ++i) {
      if (foreign(i) || plan->state[i].v.load(std::memory_order_acquire) != 0) continue;
      bool ready = true;
      for (int d : plan->deps[static_cast<size_t>(i)])
        if (plan->state[d].v.load(std::memory_order_acquire) != 2) {
          ready = false;
          break;
        }
      if (!ready) continue;
      int expected = 0;
      if (plan->state[i].v.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
        picked = i;
        break;
      }
    }
    if (picked >= 0) {
      idle = 0;
      run_step(plan->steps[static_cast<size_t>(picked)]);
      ++ran;
      plan->state[picked].v.store(2, std::memory_order_release);
      plan->lane_done[mine].v.fetch_add(1, std::memory_order_acq_rel);
    } else if (all_done()) {
      break;
    } else if (help(plan, me, lanes)) {
      idle = 0;
    } else if (++idle < kIdleSpins) {
      SOFTAC_PLAN_RELAX();
    } else {
      // The lane it waits for may have lost its core (a busy machine): give this one up
      // rather than spin through the time slice.
      std::this_thread::yield();
    }
  }
  plan->lane_steps[me].fetch_add(ran, std::memory_order_relaxed);
  set_fork_hook(nullptr, nullptr);
  plan->active[mine].v.store(0, std::memory_order_release);
}

}  // namespace

const std::vector<std::string>& plan_op_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const OpSpec& s : kSpecs) v.emplace_back(s.name);
    return v;
  }();
  return names;
}

Plan* plan_create(const std::vector<PlanBuffer>& buffers, const double* code, int64_t code_len,
                  std::string* error) {
  auto plan = new Plan();
  const auto fail = [&](const std::string& msg) {
    *error = msg;
    delete plan;
    return nullptr;
  };
  int64_t at = 0;
  while (at < code_len) {
    const int index = static_cast<int>(plan->steps.size());
    const std::string where = "plan step " + std::to_string(index);
    if (at + 2 > code_len) return fail(where + ": the code ends inside the call");
    const double op = code[at], nargs = code[at + 1];
    if (!(op >= 0 && op < kOpCount && std::floor(op) == op))
      return fail(where + ": unknown opcode " + std::to_string(op));
    PlanStep s{};
    s.op = static_cast<int>(op);
    std::string sig = kSpecs[s.op].sig;
    if (s.op == kConcat || s.op == kConcatBackward) {
      const double count = at + 4 < code_len ? code[at + 4] : -1;
      if (!(count >= 1 && count <= kMaxConcat && std::floor(count) == count))
        return fail(where + " (" + kSpecs[s.op].name + "): the count must be an integer from 1 to " +
                    std::to_string(kMaxConcat));
      sig = variadic_sig(s.op, static_cast<int>(count));
    }
    if (nargs != static_cast<double>(sig.size()))
      return fail(where + " (" + kSpecs[s.op].name + "): expected " + std::to_string(sig.size()) +
                  " arguments, got " + std::to_string(nargs));
    if (at + 2 + static_cast<int64_t>(sig.size()) > code_len)
      return fail(where + ": the code ends inside the call");
    s.nargs = static_cast<int>(sig.size());
    for (int i = 0; i < s.nargs; ++i) {
      const double x = code[at + 2 + i];
      const char c = sig[static_cast<size_t>(i)];
      s.kind[i] = c;
      if (is_buffer(c)) {
        const bool nullable = c == 'o' || c == 'f';
        if (x == -1 && nullable) continue;
        if (!(x >= 0 && x < static_cast<double>(buffers.size()) && std::floor(x) == x))
          return fail(arg_name(index, s, i) + " must be a buffer index below " +
                      std::to_string(buffers.size()) + (nullable ? " or -1" : ""));
        const PlanBuffer& b = buffers[static_cast<size_t>(x)];
        s.p[i] = b.p;
        s.n[i] = b.n;
      } else {
        if (c == 'I' && !(x >= 0 && x <= kMaxDim && std::floor(x) == x))
          return fail(arg_name(index, s, i) + " must be a non-negative integer <= 2147483647");
        if (c == 'B' && x != 0 && x != 1) return fail(arg_name(index, s, i) + " must be 0 or 1");
        s.v[i] = x;
      }
    }
    std::string e = check_lengths(s);
    if (e.empty()) e = check_overlap(s);
    if (!e.empty()) return fail(where + " (" + kSpecs[s.op].name + "): " + e);
    plan->steps.push_back(s);
    at += 2 + s.nargs;
  }
  find_deps(plan);
  return plan;
}

void plan_run(Plan* plan) {
  const int lanes = num_threads() < kMaxLanes ? num_threads() : kMaxLanes;
  if (lanes <= 1 || plan->steps.size() < 2) {
    for (const PlanStep& s : plan->steps) run_step(s);
    for (int l = 0; l < kMaxLanes; ++l) plan->lane_steps[l].store(l == 0 ? static_cast<int64_t>(plan->steps.size()) : 0);
    return;
  }
  const int64_t n = static_cast<int64_t>(plan->steps.size());
  if (plan->home_lanes != lanes) assign_homes(plan, lanes);
  for (int64_t i = 0; i < n; ++i) plan->state[i].v.store(0, std::memory_order_relaxed);
  for (int l = 0; l < kMaxLanes; ++l) plan->lane_done[l].v.store(0, std::memory_order_relaxed);
  for (int l = 0; l < kMaxLanes; ++l) plan->lane_steps[l].store(0, std::memory_order_relaxed);
  for (int l = 0; l < lanes; ++l) plan->lanes[l] = {plan, l};
  parallel_for(lanes, [plan](int64_t t) { run_lane(plan, static_cast<int>(t)); });
}

void plan_destroy(Plan* plan) { delete plan; }

namespace {

// A call's size for plan_stats: multiply-adds for the products, else elements touched.
double step_cost(const PlanStep& s) {
  const auto I = [&](int i) { return s.v[i]; };
  switch (s.op) {
    case kGemm: return I(2) * I(3) * (I(4) + 1);
    case kLinearForward: return I(4) * I(6) * (I(5) + 1);
    case kLinearBackward:
      return I(6) * I(7) * I(8) * ((s.p[0] ? 1 : 0) + (s.p[1] ? 1 : 0)) + (s.p[2] ? I(6) * I(8) : 0);
    case kLinearInputGrad: return I(4) * I(5) * I(6);
    default: {
      double n = 0;
      for (int i = 0; i < s.nargs; ++i)
        if (is_buffer(s.kind[i]) && static_cast<double>(s.n[i]) > n) n = static_cast<double>(s.n[i]);
      return n;
    }
  }
}

double sim_cost(const PlanStep& s) {
  const double c = step_cost(s);
  switch (s.op) {
    case kGemm: case kLinearForward: case kLinearBackward: case kLinearInputGrad:
      return c / 90.0;
    default:
      return c / 4.0;
  }
}

}  // namespace

PlanStats plan_stats(const Plan* plan) {
  PlanStats st{};
  const size_t n = plan->steps.size();
  st.steps = static_cast<int64_t>(n);
  std::vector<double> finish(n, 0.0);
  for (size_t j = 0; j < n; ++j) {
    const double c = step_cost(plan->steps[j]);
    double start = 0;
    for (int d : plan->deps[j]) start = finish[static_cast<size_t>(d)] > start ? finish[static_cast<size_t>(d)] : start;
    finish[j] = start + c;
    st.work += c;
    if (finish[j] > st.span) st.span = finish[j];
  }
  for (int l = 0; l < kMaxLanes; ++l) st.lane_steps[l] = plan->lane_steps[l].load(std::memory_order_relaxed);
  return st;
}

}  // namespace softac
