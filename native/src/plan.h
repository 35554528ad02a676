// A captured plan: a fixed sequence of kernel calls over caller-owned buffers (recorded by
// src/autograd/plan.ts while the tape ran one step), replayed in one call with no JavaScript
// between the kernels. Every call is validated once, when the plan is built (lengths as
// the addon's entry points check them, and no output overlapping another argument); a run
// then only dispatches. Each call runs the very function its entry point runs (ops.h), so a
// run gives the bits the recorded calls gave.
//
// On more than one thread, the calls that touch no common memory run at the same time
// (each on one thread; a thread with nothing to run helps split the other's large GEMM):
// q1 and q2 of SAC, say. Only which thread computes what changes, never the arithmetic of
// any element, so a run stays bit-identical for any thread count.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace softac {

// A buffer of the plan: its memory and length, valid for the plan's whole life (the caller
// keeps the typed arrays alive and unmoved: src/autograd/plan.ts).
struct PlanBuffer {
  float* p;
  int64_t n;
};

class Plan;

// Builds a plan from the encoded calls (see plan.cc: opcode, argument count, arguments;
// buffers as indices into `buffers`, -1 for null). On bad input returns null and sets
// *error to a message naming the call and the argument.
Plan* plan_create(const std::vector<PlanBuffer>& buffers, const double* code, int64_t code_len,
                  std::string* error);
void plan_run(Plan* plan);
void plan_destroy(Plan* plan);

// What a plan allows on two lanes, from its calls' sizes (multiply-adds, or elements for
// the element-wise calls) and their dependencies: the total work and the longest chain of
// dependent calls (the span). Without the helping, two lanes can make a run at most this
// much faster than one:
// the time: speedup <= work / max(span, work / 2) (an idle lane helping split a GEMM on the
// chain raises that bound).
// lane_steps[l]: calls lane l ran in the last run (lanes beyond the last run's: 0).
struct PlanStats {
  int64_t steps;
  double work;
  double span;
  int64_t lane_steps[8];
};
PlanStats plan_stats(const Plan* plan);

// The calls a plan may hold, by name, in opcode order (the addon exports the list, and the
// TypeScript encoder numbers calls from it).
const std::vector<std::string>& plan_op_names();

}  // namespace softac
