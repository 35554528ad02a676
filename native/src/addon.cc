// The Node-API surface: validation and dispatch only. Every entry point checks argument
// count, types (Float32Array, integer dims, numbers, booleans), lengths against the dims
// and forbidden overlap of outputs with inputs, and throws TypeError/RangeError naming the
// argument before any memory is touched. The TypeScript layer validates the same things
// first (src/kernels/validate.ts); this is the second line, for direct callers.
#include <napi.h>

#if defined(_WIN32)
#define NOMINMAX
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <string>
#include <thread>
#include <vector>

#include "dispatch.h"
#include "ops.h"
#include "plan.h"
#include "pool.h"

namespace {

// 2^31 - 1: dims beyond this are refused (no Float32Array that large is useful here, and
// products of two dims then stay exact in double and int64).
constexpr double kMaxDim = 2147483647.0;

struct F32 {
  float* p = nullptr;
  int64_t n = 0;
  bool present = false;  // false for a null accepted as "not wanted"
  const char* name = "";  // the argument's name, for messages
};

// How an output may share memory with an input: not at all, or as the very same view (the
// kernel reads each element before writing it: add, mul, scale).
enum class Alias { kNone, kExact };

class Args {
 public:
  // The function's name comes from the callback's data (see kExports).
  Args(const Napi::CallbackInfo& info, size_t count)
      : info_(info), fn_(static_cast<const char*>(info.Data())) {
    if (info.Length() != count)
      fail(false, "expected " + std::to_string(count) + " arguments, got " +
                      std::to_string(info.Length()));
  }
  bool ok() const { return ok_; }
  Napi::Env env() const { return info_.Env(); }

  F32 f32(size_t i, const char* name, bool nullable = false) {
    F32 r;
    r.name = name;
    if (!ok_) return r;
    Napi::Value v = info_[i];
    // One napi_get_typedarray_info gives the type, the length and the first element (it
    // fails, throwing nothing, on anything that is not a typed array): this runs for every
    // array of every kernel call, and the wrapper calls it three times over.
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_typedarray_info(info_.Env(), v, &type, &length, &data, nullptr, nullptr) ==
            napi_ok &&
        type == napi_float32_array) {
      r.p = static_cast<float*>(data);
      r.n = static_cast<int64_t>(length);
      r.present = true;
      return r;
    }
    if (nullable && v.IsNull()) return r;
    fail(false, arg(name) + " must be a Float32Array" + (nullable ? " or null" : "") +
                    ", got " + describe(v));
    return r;
  }

  int64_t dim(size_t i, const char* name) {
    if (!ok_) return 0;
    Napi::Value v = info_[i];
    if (!v.IsNumber()) {
      fail(false, arg(name) + " must be a non-negative integer, got " + describe(v));
      return 0;
    }
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= kMaxDim && std::floor(d) == d)) {
      fail(true, arg(name) + " must be a non-negative integer <= 2147483647, got " + num_str(d));
      return 0;
    }
    return static_cast<int64_t>(d);
  }

  double number(size_t i, const char* name) {
    if (!ok_) return 0;
    Napi::Value v = info_[i];
    if (!v.IsNumber()) {
      fail(false, arg(name) + " must be a number, got " + describe(v));
      return 0;
    }
    return v.As<Napi::Number>().DoubleValue();
  }

  // A number within [lo, hi] (NaN is refused).
  double number_in(size_t i, const char* name, double lo, double hi, const char* expected) {
    const double d = number(i, name);
    if (ok_ && !(d >= lo && d <= hi)) fail(true, arg(name) + " must be " + expected + ", got " + num_str(d));
    return d;
  }

  bool boolean(size_t i, const char* name) {
    if (!ok_) return false;
    Napi::Value v = info_[i];
    if (!v.IsBoolean()) {
      fail(false, arg(name) + " must be a boolean, got " + describe(v));
      return false;
    }
    return v.As<Napi::Boolean>().Value();
  }

  std::string str(size_t i, const char* name) {
    if (!ok_) return {};
    Napi::Value v = info_[i];
    if (!v.IsString()) {
      fail(false, arg(name) + " must be a string, got " + describe(v));
      return {};
    }
    return v.As<Napi::String>().Utf8Value();
  }

  // `a` (if present) must hold exactly `expected` elements; `what` says how that is derived.
  void len(const F32& a, int64_t expected, const char* what) {
    if (!ok_ || !a.present || a.n == expected) return;
    fail(true, arg(a.name) + " must have length " + what + " = " + std::to_string(expected) +
                   ", got " + std::to_string(a.n));
  }

  // The one overlap check, a call per output: `out` must not share memory with any of
  // `others` (its inputs, and the outputs it has not been checked against yet), tested in
  // the order given; Alias::kExact allows the very same view.
  void no_overlap(const F32& out, std::initializer_list<std::reference_wrapper<const F32>> others,
                  Alias alias = Alias::kNone) {
    for (const F32& in : others) {
      if (!ok_ || !out.present || !in.present || out.n == 0 || in.n == 0) continue;
      const bool overlap = out.p < in.p + in.n && in.p < out.p + out.n;
      if (!overlap) continue;
      const bool exact = alias == Alias::kExact;
      if (exact && out.p == in.p && out.n == in.n) continue;
      fail(true, arg(out.name) + " must not overlap " + arg(in.name) +
                     (exact ? " (only an identical view is allowed)" : "") +
                     ": they share memory");
    }
  }

  void check(bool cond, bool range, const std::string& msg) {
    if (ok_ && !cond) fail(range, std::string(fn_) + ": " + msg, true);
  }

 private:
  std::string arg(const char* name) const { return std::string("argument '") + name + "'"; }

  static std::string num_str(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
  }

  static std::string describe(const Napi::Value& v) {
    if (v.IsNull()) return "null";
    if (v.IsUndefined()) return "undefined";
    if (v.IsNumber()) return "number " + num_str(v.As<Napi::Number>().DoubleValue());
    if (v.IsBoolean()) return "boolean";
    if (v.IsString()) return "string";
    if (v.IsTypedArray()) {
      switch (v.As<Napi::TypedArray>().TypedArrayType()) {
        case napi_int8_array: return "Int8Array";
        case napi_uint8_array: return "Uint8Array";
        case napi_uint8_clamped_array: return "Uint8ClampedArray";
        case napi_int16_array: return "Int16Array";
        case napi_uint16_array: return "Uint16Array";
        case napi_int32_array: return "Int32Array";
        case napi_uint32_array: return "Uint32Array";
        case napi_float32_array: return "Float32Array";
        case napi_float64_array: return "Float64Array";
        default: return "a typed array";
      }
    }
    if (v.IsArray()) return "Array";
    if (v.IsArrayBuffer()) return "ArrayBuffer";
    if (v.IsFunction()) return "function";
    return "object";
  }

  void fail(bool range, const std::string& msg, bool prefixed = false) {
    if (!ok_) return;
    ok_ = false;
    const std::string full = prefixed ? msg : std::string(fn_) + ": " + msg;
    if (range)
      Napi::RangeError::New(info_.Env(), full).ThrowAsJavaScriptException();
    else
      Napi::TypeError::New(info_.Env(), full).ThrowAsJavaScriptException();
  }

  const Napi::CallbackInfo& info_;
  const char* fn_;
  bool ok_ = true;
};

Napi::Value Info(const Napi::CallbackInfo& info) {
  Args a(info, 0);
  if (!a.ok()) return a.env().Undefined();
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("path", softac::active()->name);
  const auto to_array = [&](const std::vector<std::string>& v) {
    Napi::Array arr = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); ++i) arr.Set(static_cast<uint32_t>(i), v[i]);
    return arr;
  };
  o.Set("paths", to_array(softac::runnable_paths()));
  o.Set("compiledPaths", to_array(softac::compiled_paths()));
  o.Set("threads", softac::num_threads());
  o.Set("barriers", static_cast<double>(softac::barrier_count()));
  o.Set("envError", softac::env_error());
  o.Set("logStdMin", kLogStdMin);
  o.Set("logStdMax", kLogStdMax);
  return o;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Args a(info, 1);
  const double n = a.number_in(0, "n", 1, softac::kMaxThreads, "an integer from 1 to 256");
  a.check(std::floor(n) == n, true, "argument 'n' must be an integer from 1 to 256");
  if (a.ok()) softac::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value SetSimdPath(const Napi::CallbackInfo& info) {
  Args a(info, 1);
  const std::string path = a.str(0, "path");
  if (!a.ok()) return info.Env().Undefined();
  std::string why;
  const bool selected = softac::select_path(path, &why);
  a.check(selected, true, why);
  return info.Env().Undefined();
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args a(info, 10);
  const bool ta = a.boolean(0, "transA"), tb = a.boolean(1, "transB");
  const int64_t m = a.dim(2, "m"), n = a.dim(3, "n"), k = a.dim(4, "k");
  const double alpha = a.number(5, "alpha");
  F32 A = a.f32(6, "a"), B = a.f32(7, "b");
  const double beta = a.number(8, "beta");
  F32 C = a.f32(9, "c");
  a.check(!(ta && tb), true, "transA and transB together (TT) is not supported; transpose one operand first");
  a.len(A, m * k, "m*k");
  a.len(B, k * n, "k*n");
  a.len(C, m * n, "m*n");
  a.no_overlap(C, {A, B});
  if (a.ok())
    softac::gemm(ta, tb, m, n, k, static_cast<float>(alpha), A.p, B.p, static_cast<float>(beta), C.p);
  return info.Env().Undefined();
}

Napi::Value LinearForward(const Napi::CallbackInfo& info) {
  Args a(info, 8);
  F32 out = a.f32(0, "out"), inp = a.f32(1, "inp"), w = a.f32(2, "weight");
  F32 bias = a.f32(3, "bias", true);
  const int64_t B = a.dim(4, "B"), I = a.dim(5, "I"), O = a.dim(6, "O");
  const bool relu = a.boolean(7, "relu");
  a.len(out, B * O, "B*O");
  a.len(inp, B * I, "B*I");
  a.len(w, O * I, "O*I");
  a.len(bias, O, "O");
  a.no_overlap(out, {inp, w, bias});
  if (a.ok()) softac::linear_forward(out.p, inp.p, w.p, bias.present ? bias.p : nullptr, B, I, O, relu);
  return info.Env().Undefined();
}

Napi::Value LinearBackward(const Napi::CallbackInfo& info) {
  Args a(info, 9);
  F32 dinp = a.f32(0, "dinp", true), dw = a.f32(1, "dweight", true), db = a.f32(2, "dbias", true);
  F32 dout = a.f32(3, "dout"), inp = a.f32(4, "inp"), w = a.f32(5, "weight");
  const int64_t B = a.dim(6, "B"), I = a.dim(7, "I"), O = a.dim(8, "O");
  a.len(dinp, B * I, "B*I");
  a.len(dw, O * I, "O*I");
  a.len(db, O, "O");
  a.len(dout, B * O, "B*O");
  a.len(inp, B * I, "B*I");
  a.len(w, O * I, "O*I");
  a.no_overlap(dinp, {dout, inp, w, dw, db});
  a.no_overlap(dw, {dout, inp, w, db});
  a.no_overlap(db, {dout, inp, w});
  if (a.ok())
    softac::linear_backward(dinp.present ? dinp.p : nullptr, dw.present ? dw.p : nullptr,
                            db.present ? db.p : nullptr, dout.p, inp.p, w.p, B, I, O);
  return info.Env().Undefined();
}

Napi::Value LinearInputGrad(const Napi::CallbackInfo& info) {
  Args a(info, 7);
  F32 dinp = a.f32(0, "dinp"), dout = a.f32(1, "dout"), w = a.f32(2, "weight");
  F32 mask = a.f32(3, "mask", true);
  const int64_t B = a.dim(4, "B"), I = a.dim(5, "I"), O = a.dim(6, "O");
  a.len(dinp, B * I, "B*I");
  a.len(mask, B * I, "B*I");
  a.len(dout, B * O, "B*O");
  a.len(w, O * I, "O*I");
  a.no_overlap(dinp, {mask, dout, w});
  if (a.ok())
    softac::linear_input_grad(dinp.p, dout.p, w.p, mask.present ? mask.p : nullptr, B, I, O);
  return info.Env().Undefined();
}

// out = f(x), element-wise.
template <void (*F)(float*, const float*, int64_t)>
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Args a(info, 2);
  F32 out = a.f32(0, "out"), x = a.f32(1, "x");
  a.len(out, x.n, "x.length");
  a.no_overlap(out, {x});
  if (a.ok()) F(out.p, x.p, x.n);
  return info.Env().Undefined();
}

// dx += g(dy, y), element-wise.
template <void (*F)(float*, const float*, const float*, int64_t)>
Napi::Value UnaryBackward(const Napi::CallbackInfo& info) {
  Args a(info, 3);
  F32 dx = a.f32(0, "dx"), dy = a.f32(1, "dy"), y = a.f32(2, "y");
  a.len(dy, dx.n, "dx.length");
  a.len(y, dx.n, "dx.length");
  a.no_overlap(dx, {dy, y});
  if (a.ok()) F(dx.p, dy.p, y.p, dx.n);
  return info.Env().Undefined();
}

// out = f(a, b), element-wise; with Alias::kExact out may be exactly a or b (in place).
template <void (*F)(float*, const float*, const float*, int64_t), Alias alias>
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Args a(info, 3);
  F32 out = a.f32(0, "out"), x = a.f32(1, "a"), y = a.f32(2, "b");
  a.len(x, out.n, "out.length");
  a.len(y, out.n, "out.length");
  a.no_overlap(out, {x, y}, alias);
  if (a.ok()) F(out.p, x.p, y.p, out.n);
  return info.Env().Undefined();
}

Napi::Value Clamp(const Napi::CallbackInfo& info) {
  Args a(info, 4);
  F32 out = a.f32(0, "out"), x = a.f32(1, "x");
  const double lo = a.number(2, "lo"), hi = a.number(3, "hi");
  a.check(lo <= hi, true, "arguments 'lo' and 'hi' must be numbers with lo <= hi, got " +
                              std::to_string(lo) + " and " + std::to_string(hi));
  a.len(out, x.n, "x.length");
  a.no_overlap(out, {x});
  if (a.ok()) softac::clamp_forward(out.p, x.p, static_cast<float>(lo), static_cast<float>(hi), x.n);
  return info.Env().Undefined();
}

Napi::Value ClampBackward(const Napi::CallbackInfo& info) {
  Args a(info, 5);
  F32 dx = a.f32(0, "dx"), dy = a.f32(1, "dy"), x = a.f32(2, "x");
  const double lo = a.number(3, "lo"), hi = a.number(4, "hi");
  a.check(lo <= hi, true, "arguments 'lo' and 'hi' must be numbers with lo <= hi, got " +
                              std::to_string(lo) + " and " + std::to_string(hi));
  a.len(dy, dx.n, "dx.length");
  a.len(x, dx.n, "dx.length");
  a.no_overlap(dx, {dy, x});
  if (a.ok())
    softac::clamp_backward(dx.p, dy.p, x.p, static_cast<float>(lo), static_cast<float>(hi), dx.n);
  return info.Env().Undefined();
}

Napi::Value MinimumBackward(const Napi::CallbackInfo& info) {
  Args a(info, 5);
  F32 da = a.f32(0, "da"), db = a.f32(1, "db"), dy = a.f32(2, "dy");
  F32 x = a.f32(3, "a"), y = a.f32(4, "b");
  a.len(db, da.n, "da.length");
  a.len(dy, da.n, "da.length");
  a.len(x, da.n, "da.length");
  a.len(y, da.n, "da.length");
  a.no_overlap(da, {db, dy, x, y});
  a.no_overlap(db, {dy, x, y});
  if (a.ok()) softac::minimum_backward(da.p, db.p, dy.p, x.p, y.p, da.n);
  return info.Env().Undefined();
}

Napi::Value Axpy(const Napi::CallbackInfo& info) {
  Args a(info, 3);
  F32 y = a.f32(0, "y");
  const double alpha = a.number(1, "alpha");
  F32 x = a.f32(2, "x");
  a.len(x, y.n, "y.length");
  a.no_overlap(y, {x});
  if (a.ok()) softac::axpy(y.p, static_cast<float>(alpha), x.p, y.n);
  return info.Env().Undefined();
}

Napi::Value Scale(const Napi::CallbackInfo& info) {
  Args a(info, 3);
  F32 out = a.f32(0, "out"), x = a.f32(1, "x");
  const double alpha = a.number(2, "alpha");
  a.len(out, x.n, "x.length");
  a.no_overlap(out, {x}, Alias::kExact);
  if (a.ok()) softac::scale(out.p, x.p, static_cast<float>(alpha), x.n);
  return info.Env().Undefined();
}

Napi::Value Sum(const Napi::CallbackInfo& info) {
  Args a(info, 1);
  F32 x = a.f32(0, "x");
  if (!a.ok()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), softac::sum(x.p, x.n));
}

Napi::Value Mean(const Napi::CallbackInfo& info) {
  Args a(info, 1);
  F32 x = a.f32(0, "x");
  if (!a.ok()) return info.Env().Undefined();
  // float32 division, as torch.mean on a float32 tensor; the mean of nothing is NaN.
  const float s = softac::sum(x.p, x.n);
  return Napi::Number::New(info.Env(), x.n == 0 ? NAN : s / static_cast<float>(x.n));
}

Napi::Value SumRows(const Napi::CallbackInfo& info) {
  Args a(info, 4);
  F32 out = a.f32(0, "out"), x = a.f32(1, "x");
  const int64_t rows = a.dim(2, "rows"), cols = a.dim(3, "cols");
  a.len(out, rows, "rows");
  a.len(x, rows * cols, "rows*cols");
  a.no_overlap(out, {x});
  if (a.ok()) softac::sum_rows(out.p, x.p, rows, cols);
  return info.Env().Undefined();
}

Napi::Value SumColsAcc(const Napi::CallbackInfo& info) {
  Args a(info, 4);
  F32 out = a.f32(0, "out"), x = a.f32(1, "x");
  const int64_t rows = a.dim(2, "rows"), cols = a.dim(3, "cols");
  a.len(out, cols, "cols");
  a.len(x, rows * cols, "rows*cols");
  a.no_overlap(out, {x});
  if (a.ok()) softac::sum_cols_acc(out.p, x.p, rows, cols);
  return info.Env().Undefined();
}

Napi::Value SquashForward(const Napi::CallbackInfo& info) {
  Args a(info, 9);
  F32 act = a.f32(0, "a"), logp = a.f32(1, "logp", true), mu = a.f32(2, "mu");
  F32 ls = a.f32(3, "logStd"), eps = a.f32(4, "eps"), sc = a.f32(5, "scale"), sh = a.f32(6, "shift");
  const int64_t rows = a.dim(7, "rows"), A = a.dim(8, "A");
  a.len(act, rows * A, "rows*A");
  a.len(logp, rows, "rows");
  a.len(mu, rows * A, "rows*A");
  a.len(ls, rows * A, "rows*A");
  a.len(eps, rows * A, "rows*A");
  a.len(sc, A, "A");
  a.len(sh, A, "A");
  a.no_overlap(act, {logp, mu, ls, eps, sc, sh});
  a.no_overlap(logp, {mu, ls, eps, sc, sh});
  if (a.ok())
    softac::squash_forward(act.p, logp.present ? logp.p : nullptr, mu.p, ls.p, eps.p, sc.p, sh.p,
                           rows, A);
  return info.Env().Undefined();
}

Napi::Value SquashBackward(const Napi::CallbackInfo& info) {
  Args a(info, 10);
  F32 dmu = a.f32(0, "dmu"), dls = a.f32(1, "dlogStd"), da = a.f32(2, "da", true);
  F32 dlogp = a.f32(3, "dlogp", true), mu = a.f32(4, "mu"), ls = a.f32(5, "logStd");
  F32 eps = a.f32(6, "eps"), sc = a.f32(7, "scale");
  const int64_t rows = a.dim(8, "rows"), A = a.dim(9, "A");
  a.len(dmu, rows * A, "rows*A");
  a.len(dls, rows * A, "rows*A");
  a.len(da, rows * A, "rows*A");
  a.len(dlogp, rows, "rows");
  a.len(mu, rows * A, "rows*A");
  a.len(ls, rows * A, "rows*A");
  a.len(eps, rows * A, "rows*A");
  a.len(sc, A, "A");
  a.no_overlap(dmu, {dls, da, dlogp, mu, ls, eps, sc});
  a.no_overlap(dls, {da, dlogp, mu, ls, eps, sc});
  if (a.ok())
    softac::squash_backward(dmu.p, dls.p, da.present ? da.p : nullptr,
                            dlogp.present ? dlogp.p : nullptr, mu.p, ls.p, eps.p, sc.p, rows, A);
  return info.Env().Undefined();
}

Napi::Value Adam(const Napi::CallbackInfo& info) {
  Args a(info, 10);
  F32 p = a.f32(0, "p"), g = a.f32(1, "g"), m = a.f32(2, "m"), v = a.f32(3, "v");
  const double t = a.number_in(4, "t", 1, 9007199254740991.0, "an integer >= 1");
  a.check(std::floor(t) == t, true, "argument 't' must be an integer >= 1, got " + std::to_string(t));
  const double lr = a.number_in(5, "lr", 0, INFINITY, "a finite number >= 0");
  const double b1 = a.number_in(6, "beta1", 0, 0.9999999999999999, "in [0, 1)");
  const double b2 = a.number_in(7, "beta2", 0, 0.9999999999999999, "in [0, 1)");
  const double eps = a.number_in(8, "eps", 0, INFINITY, "a number >= 0");
  const double wd = a.number_in(9, "weightDecay", 0, INFINITY, "a number >= 0");
  a.check(std::isfinite(lr), true, "argument 'lr' must be a finite number >= 0");
  a.len(g, p.n, "p.length");
  a.len(m, p.n, "p.length");
  a.len(v, p.n, "p.length");
  a.no_overlap(p, {g, m, v});
  a.no_overlap(m, {g, v});
  a.no_overlap(v, {g});
  if (a.ok()) softac::adam(p.p, g.p, m.p, v.p, p.n, static_cast<int64_t>(t), lr, b1, b2, eps, wd);
  return info.Env().Undefined();
}

Napi::Value Polyak(const Napi::CallbackInfo& info) {
  Args a(info, 3);
  F32 targ = a.f32(0, "targ"), p = a.f32(1, "p");
  const double rho = a.number_in(2, "polyak", 0, 1, "in [0, 1]");
  a.len(p, targ.n, "targ.length");
  a.no_overlap(targ, {p});
  if (a.ok()) softac::polyak(targ.p, p.p, rho, targ.n);
  return info.Env().Undefined();
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  Args a(info, 2);
  F32 x = a.f32(0, "x");
  const double value = a.number(1, "value");
  if (a.ok()) softac::fill(x.p, static_cast<float>(value), x.n);
  return info.Env().Undefined();
}

Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  Args a(info, 0);
  if (!a.ok()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), softac::fma_peak_gflops());
}

// The calls a plan may hold, in opcode order (src/kernels/native.ts numbers them from this).
Napi::Value PlanOps(const Napi::CallbackInfo& info) {
  Args a(info, 0);
  if (!a.ok()) return info.Env().Undefined();
  const auto& names = softac::plan_op_names();
  Napi::Array arr = Napi::Array::New(info.Env(), names.size());
  for (size_t i = 0; i < names.size(); ++i) arr.Set(static_cast<uint32_t>(i), names[i]);
  return arr;
}

// planCreate(buffers: Float32Array[], code: Float64Array): a captured plan (plan.h), every
// call validated now. The caller keeps the arrays alive and unmoved for the plan's life
// (src/autograd/plan.ts holds them beside it).
Napi::Value PlanCreate(const Napi::CallbackInfo& info) {
  Args a(info, 2);
  if (!a.ok()) return info.Env().Undefined();
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    a.check(false, false, "argument 'buffers' must be an Array of Float32Array");
    return env.Undefined();
  }
  Napi::Array arr = info[0].As<Napi::Array>();
  std::vector<softac::PlanBuffer> buffers(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    Napi::Value v = arr.Get(i);
    if (napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok ||
        type != napi_float32_array) {
      a.check(false, false, "buffers[" + std::to_string(i) + "] must be a Float32Array");
      return env.Undefined();
    }
    buffers[i] = {static_cast<float*>(data), static_cast<int64_t>(length)};
  }
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, info[1], &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array) {
    a.check(false, false, "argument 'code' must be a Float64Array");
    return env.Undefined();
  }
  std::string error;
  softac::Plan* plan = softac::plan_create(buffers, static_cast<const double*>(data),
                                           static_cast<int64_t>(length), &error);
  if (!plan) {
    a.check(false, true, error);
    return env.Undefined();
  }
  return Napi::External<softac::Plan>::New(env, plan, [](Napi::Env, softac::Plan* p) { softac::plan_destroy(p); });
}

Napi::Value PlanRun(const Napi::CallbackInfo& info) {
  Args a(info, 1);
  if (!a.ok()) return info.Env().Undefined();
  if (!info[0].IsExternal()) {
    a.check(false, false, "argument 'plan' must be a plan from planCreate");
    return info.Env().Undefined();
  }
  softac::plan_run(info[0].As<Napi::External<softac::Plan>>().Data());
  return info.Env().Undefined();
}

// planStats(plan): plan_stats (plan.h) as { steps, work, span, laneSteps }.
Napi::Value PlanStats(const Napi::CallbackInfo& info) {
  Args a(info, 1);
  if (!a.ok()) return info.Env().Undefined();
  if (!info[0].IsExternal()) {
    a.check(false, false, "argument 'plan' must be a plan from planCreate");
    return info.Env().Undefined();
  }
  const softac::PlanStats st = softac::plan_stats(info[0].As<Napi::External<softac::Plan>>().Data());
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("steps", static_cast<double>(st.steps));
  o.Set("work", st.work);
  o.Set("span", st.span);
  Napi::Array lanes = Napi::Array::New(info.Env(), 8);
  for (uint32_t l = 0; l < 8; ++l) lanes.Set(l, static_cast<double>(st.lane_steps[l]));
  o.Set("laneSteps", lanes);
  return o;
}

// The backstop of the `softac` command's exit (src/cli/main.ts): a thread that ends the
// process with `code` if it is still alive `ms` from now. process.exit's teardown joins
// V8's worker threads while the isolate lives on, and a compile job among them can be
// waiting for a garbage collection that only the exiting main thread could run
// (nodejs/node#54918): then nothing else would ever end the process.
Napi::Value ExitAfter(const Napi::CallbackInfo& info) {
  Args a(info, 2);
  const double ms = a.number_in(0, "ms", 0, 3600000, "a number of milliseconds in [0, 3600000]");
  const double code = a.number_in(1, "code", 0, 255, "an integer in [0, 255]");
  a.check(std::floor(code) == code, true, "argument 'code' must be an integer in [0, 255]");
  if (!a.ok()) return info.Env().Undefined();
  std::thread([ms, c = static_cast<int>(code)] {
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
    std::fputs("softac: Node's exit stalled (nodejs/node#54918); ending the process\n", stderr);
    std::_Exit(c);
  }).detach();
  return info.Env().Undefined();
}

// The pool's threads run this library's code for as long as the process lives (pool.cc),
// but Node unloads an addon when the last environment that loaded it ends: a worker thread
// that loaded softac when its host never did (a trainInWorker that fails before its first
// message) took the code from under the threads, and the process died of SIGSEGV in about
// one exit in ten. Pinned, the library stays mapped until the process ends.
void PinThisLibrary() {
#if defined(_WIN32)
  HMODULE self;
  GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                     reinterpret_cast<LPCWSTR>(&PinThisLibrary), &self);
#else
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&PinThisLibrary), &self) != 0 && self.dli_fname != nullptr)
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
#endif
}

// Every entry point, by its JavaScript name. The name is also the function's callback
// data, which is where Args takes it from for its messages.
struct Export {
  const char* name;
  Napi::Value (*fn)(const Napi::CallbackInfo&);
};
const Export kExports[] = {
    {"info", Info},
    {"setNumThreads", SetNumThreads},
    {"setSimdPath", SetSimdPath},
    {"gemm", Gemm},
    {"linearForward", LinearForward},
    {"linearBackward", LinearBackward},
    {"linearInputGrad", LinearInputGrad},
    {"tanh", Unary<softac::tanh_forward>},
    {"exp", Unary<softac::exp_forward>},
    {"log", Unary<softac::log_forward>},
    {"softplus", Unary<softac::softplus_forward>},
    {"relu", Unary<softac::relu_forward>},
    {"tanhBackward", UnaryBackward<softac::tanh_backward>},
    {"reluBackward", UnaryBackward<softac::relu_backward>},
    {"reluGrad", UnaryBackward<softac::relu_grad>},
    {"minimum", Binary<softac::minimum_forward, Alias::kNone>},
    {"add", Binary<softac::add, Alias::kExact>},
    {"mul", Binary<softac::mul, Alias::kExact>},
    {"clamp", Clamp},
    {"clampBackward", ClampBackward},
    {"minimumBackward", MinimumBackward},
    {"axpy", Axpy},
    {"scale", Scale},
    {"sum", Sum},
    {"mean", Mean},
    {"sumRows", SumRows},
    {"sumColsAcc", SumColsAcc},
    {"squashForward", SquashForward},
    {"squashBackward", SquashBackward},
    {"adam", Adam},
    {"polyak", Polyak},
    {"fill", Fill},
    {"fmaPeak", FmaPeak},
    {"exitAfter", ExitAfter},
    {"planOps", PlanOps},
    {"planCreate", PlanCreate},
    {"planRun", PlanRun},
    {"planStats", PlanStats},
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  PinThisLibrary();
  for (const Export& e : kExports)  // Napi's data is void*; nothing writes through it
    exports.Set(e.name, Napi::Function::New(env, e.fn, e.name, const_cast<char*>(e.name)));
  return exports;
}

}  // namespace

NODE_API_MODULE(softac, Init)
