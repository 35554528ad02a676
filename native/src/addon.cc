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
#include <string>
#include <thread>
#include <vector>

#include "dispatch.h"
#include "ops.h"
#include "pool.h"

namespace {

// 2^31 - 1: dims beyond this are refused (no Float32Array that large is useful here, and
// products of two dims then stay exact in double and int64).
constexpr double kMaxDim = 2147483647.0;

struct F32 {
  float* p = nullptr;
  int64_t n = 0;
  bool present = false;  // false for a null accepted as "not wanted"
};

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn, size_t count) : info_(info), fn_(fn) {
    if (info.Length() != count)
      fail(false, "expected " + std::to_string(count) + " arguments, got " +
                      std::to_string(info.Length()));
  }
  bool ok() const { return ok_; }
  Napi::Env env() const { return info_.Env(); }

  F32 f32(size_t i, const char* name, bool nullable = false) {
    F32 r;
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
  void len(const F32& a, const char* name, int64_t expected, const char* what) {
    if (!ok_ || !a.present || a.n == expected) return;
    fail(true, arg(name) + " must have length " + what + " = " + std::to_string(expected) +
                   ", got " + std::to_string(a.n));
  }

  // Output `out` must not share memory with `in`; with allow_exact an identical view is
  // fine (the kernel reads each element before writing it).
  void no_overlap(const F32& out, const char* oname, const F32& in, const char* iname,
                  bool allow_exact = false) {
    if (!ok_ || !out.present || !in.present || out.n == 0 || in.n == 0) return;
    const bool overlap = out.p < in.p + in.n && in.p < out.p + out.n;
    if (!overlap) return;
    if (allow_exact && out.p == in.p && out.n == in.n) return;
    fail(true, arg(oname) + " must not overlap " + arg(iname) +
                   (allow_exact ? " (only an identical view is allowed)" : "") +
                   ": they share memory");
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
  Args a(info, "info", 0);
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
  o.Set("envError", softac::env_error());
  return o;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Args a(info, "setNumThreads", 1);
  const double n = a.number_in(0, "n", 1, softac::kMaxThreads, "an integer from 1 to 256");
  a.check(std::floor(n) == n, true, "argument 'n' must be an integer from 1 to 256");
  if (a.ok()) softac::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value SetSimdPath(const Napi::CallbackInfo& info) {
  Args a(info, "setSimdPath", 1);
  const std::string path = a.str(0, "path");
  if (!a.ok()) return info.Env().Undefined();
  std::string why;
  if (!softac::select_path(path, &why))
    Napi::RangeError::New(info.Env(), "setSimdPath: " + why).ThrowAsJavaScriptException();
  return info.Env().Undefined();
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args a(info, "gemm", 10);
  const bool ta = a.boolean(0, "transA"), tb = a.boolean(1, "transB");
  const int64_t m = a.dim(2, "m"), n = a.dim(3, "n"), k = a.dim(4, "k");
  const double alpha = a.number(5, "alpha");
  F32 A = a.f32(6, "a"), B = a.f32(7, "b");
  const double beta = a.number(8, "beta");
  F32 C = a.f32(9, "c");
  a.check(!(ta && tb), true, "transA and transB together (TT) is not supported; transpose one operand first");
  a.len(A, "a", m * k, "m*k");
  a.len(B, "b", k * n, "k*n");
  a.len(C, "c", m * n, "m*n");
  a.no_overlap(C, "c", A, "a");
  a.no_overlap(C, "c", B, "b");
  if (a.ok())
    softac::gemm(ta, tb, m, n, k, static_cast<float>(alpha), A.p, B.p, static_cast<float>(beta), C.p);
  return info.Env().Undefined();
}

Napi::Value LinearForward(const Napi::CallbackInfo& info) {
  Args a(info, "linearForward", 8);
  F32 out = a.f32(0, "out"), inp = a.f32(1, "inp"), w = a.f32(2, "weight");
  F32 bias = a.f32(3, "bias", true);
  const int64_t B = a.dim(4, "B"), I = a.dim(5, "I"), O = a.dim(6, "O");
  const bool relu = a.boolean(7, "relu");
  a.len(out, "out", B * O, "B*O");
  a.len(inp, "inp", B * I, "B*I");
  a.len(w, "weight", O * I, "O*I");
  a.len(bias, "bias", O, "O");
  a.no_overlap(out, "out", inp, "inp");
  a.no_overlap(out, "out", w, "weight");
  a.no_overlap(out, "out", bias, "bias");
  if (a.ok()) softac::linear_forward(out.p, inp.p, w.p, bias.present ? bias.p : nullptr, B, I, O, relu);
  return info.Env().Undefined();
}

Napi::Value LinearBackward(const Napi::CallbackInfo& info) {
  Args a(info, "linearBackward", 9);
  F32 dinp = a.f32(0, "dinp", true), dw = a.f32(1, "dweight", true), db = a.f32(2, "dbias", true);
  F32 dout = a.f32(3, "dout"), inp = a.f32(4, "inp"), w = a.f32(5, "weight");
  const int64_t B = a.dim(6, "B"), I = a.dim(7, "I"), O = a.dim(8, "O");
  a.len(dinp, "dinp", B * I, "B*I");
  a.len(dw, "dweight", O * I, "O*I");
  a.len(db, "dbias", O, "O");
  a.len(dout, "dout", B * O, "B*O");
  a.len(inp, "inp", B * I, "B*I");
  a.len(w, "weight", O * I, "O*I");
  const F32* outs[] = {&dinp, &dw, &db};
  const char* onames[] = {"dinp", "dweight", "dbias"};
  const F32* ins[] = {&dout, &inp, &w};
  const char* inames[] = {"dout", "inp", "weight"};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) a.no_overlap(*outs[i], onames[i], *ins[j], inames[j]);
    for (int j = i + 1; j < 3; ++j) a.no_overlap(*outs[i], onames[i], *outs[j], onames[j]);
  }
  if (a.ok())
    softac::linear_backward(dinp.present ? dinp.p : nullptr, dw.present ? dw.p : nullptr,
                            db.present ? db.p : nullptr, dout.p, inp.p, w.p, B, I, O);
  return info.Env().Undefined();
}

Napi::Value LinearInputGrad(const Napi::CallbackInfo& info) {
  Args a(info, "linearInputGrad", 7);
  F32 dinp = a.f32(0, "dinp"), dout = a.f32(1, "dout"), w = a.f32(2, "weight");
  F32 mask = a.f32(3, "mask", true);
  const int64_t B = a.dim(4, "B"), I = a.dim(5, "I"), O = a.dim(6, "O");
  // dinp and mask are (B, I), dout (B, O), weight (O, I); dinp is written, the rest read.
  const F32* arrays[] = {&dinp, &mask, &dout, &w};
  const char* names[] = {"dinp", "mask", "dout", "weight"};
  const int64_t lens[] = {B * I, B * I, B * O, O * I};
  const char* exprs[] = {"B*I", "B*I", "B*O", "O*I"};
  for (int i = 0; i < 4; ++i) a.len(*arrays[i], names[i], lens[i], exprs[i]);
  for (int i = 1; i < 4; ++i) a.no_overlap(dinp, "dinp", *arrays[i], names[i]);
  if (a.ok())
    softac::linear_input_grad(dinp.p, dout.p, w.p, mask.present ? mask.p : nullptr, B, I, O);
  return info.Env().Undefined();
}

// out = f(x), element-wise.
template <void (*F)(float*, const float*, int64_t)>
Napi::Value Unary(const Napi::CallbackInfo& info, const char* fn) {
  Args a(info, fn, 2);
  F32 out = a.f32(0, "out"), x = a.f32(1, "x");
  a.len(out, "out", x.n, "x.length");
  a.no_overlap(out, "out", x, "x");
  if (a.ok()) F(out.p, x.p, x.n);
  return info.Env().Undefined();
}

// dx += g(dy, y), element-wise.
template <void (*F)(float*, const float*, const float*, int64_t)>
Napi::Value UnaryBackward(const Napi::CallbackInfo& info, const char* fn) {
  Args a(info, fn, 3);
  F32 dx = a.f32(0, "dx"), dy = a.f32(1, "dy"), y = a.f32(2, "y");
  a.len(dy, "dy", dx.n, "dx.length");
  a.len(y, "y", dx.n, "dx.length");
  a.no_overlap(dx, "dx", dy, "dy");
  a.no_overlap(dx, "dx", y, "y");
  if (a.ok()) F(dx.p, dy.p, y.p, dx.n);
  return info.Env().Undefined();
}

// out = f(a, b), element-wise; out may be exactly a or b (in-place).
template <void (*F)(float*, const float*, const float*, int64_t)>
Napi::Value Binary(const Napi::CallbackInfo& info, const char* fn, bool allow_alias) {
  Args a(info, fn, 3);
  F32 out = a.f32(0, "out"), x = a.f32(1, "a"), y = a.f32(2, "b");
  a.len(x, "a", out.n, "out.length");
  a.len(y, "b", out.n, "out.length");
  a.no_overlap(out, "out", x, "a", allow_alias);
  a.no_overlap(out, "out", y, "b", allow_alias);
  if (a.ok()) F(out.p, x.p, y.p, out.n);
  return info.Env().Undefined();
}

Napi::Value Clamp(const Napi::CallbackInfo& info) {
  Args a(info, "clamp", 4);
  F32 out = a.f32(0, "out"), x = a.f32(1, "x");
  const double lo = a.number(2, "lo"), hi = a.number(3, "hi");
  a.check(lo <= hi, true, "arguments 'lo' and 'hi' must be numbers with lo <= hi, got " +
                              std::to_string(lo) + " and " + std::to_string(hi));
  a.len(out, "out", x.n, "x.length");
  a.no_overlap(out, "out", x, "x");
  if (a.ok()) softac::clamp_forward(out.p, x.p, static_cast<float>(lo), static_cast<float>(hi), x.n);
  return info.Env().Undefined();
}

Napi::Value ClampBackward(const Napi::CallbackInfo& info) {
  Args a(info, "clampBackward", 5);
  F32 dx = a.f32(0, "dx"), dy = a.f32(1, "dy"), x = a.f32(2, "x");
  const double lo = a.number(3, "lo"), hi = a.number(4, "hi");
  a.check(lo <= hi, true, "arguments 'lo' and 'hi' must be numbers with lo <= hi, got " +
                              std::to_string(lo) + " and " + std::to_string(hi));
  a.len(dy, "dy", dx.n, "dx.length");
  a.len(x, "x", dx.n, "dx.length");
  a.no_overlap(dx, "dx", dy, "dy");
  a.no_overlap(dx, "dx", x, "x");
  if (a.ok())
    softac::clamp_backward(dx.p, dy.p, x.p, static_cast<float>(lo), static_cast<float>(hi), dx.n);
  return info.Env().Undefined();
}

Napi::Value MinimumBackward(const Napi::CallbackInfo& info) {
  Args a(info, "minimumBackward", 5);
  F32 da = a.f32(0, "da"), db = a.f32(1, "db"), dy = a.f32(2, "dy");
  F32 x = a.f32(3, "a"), y = a.f32(4, "b");
  a.len(db, "db", da.n, "da.length");
  a.len(dy, "dy", da.n, "da.length");
  a.len(x, "a", da.n, "da.length");
  a.len(y, "b", da.n, "da.length");
  a.no_overlap(da, "da", db, "db");
  for (const auto& [o, on] : {std::pair<const F32*, const char*>{&da, "da"}, {&db, "db"}}) {
    a.no_overlap(*o, on, dy, "dy");
    a.no_overlap(*o, on, x, "a");
    a.no_overlap(*o, on, y, "b");
  }
  if (a.ok()) softac::minimum_backward(da.p, db.p, dy.p, x.p, y.p, da.n);
  return info.Env().Undefined();
}

Napi::Value Axpy(const Napi::CallbackInfo& info) {
  Args a(info, "axpy", 3);
  F32 y = a.f32(0, "y");
  const double alpha = a.number(1, "alpha");
  F32 x = a.f32(2, "x");
  a.len(x, "x", y.n, "y.length");
  a.no_overlap(y, "y", x, "x");
  if (a.ok()) softac::axpy(y.p, static_cast<float>(alpha), x.p, y.n);
  return info.Env().Undefined();
}

Napi::Value Scale(const Napi::CallbackInfo& info) {
  Args a(info, "scale", 3);
  F32 out = a.f32(0, "out"), x = a.f32(1, "x");
  const double alpha = a.number(2, "alpha");
  a.len(out, "out", x.n, "x.length");
  a.no_overlap(out, "out", x, "x", true);
  if (a.ok()) softac::scale(out.p, x.p, static_cast<float>(alpha), x.n);
  return info.Env().Undefined();
}

Napi::Value Sum(const Napi::CallbackInfo& info) {
  Args a(info, "sum", 1);
  F32 x = a.f32(0, "x");
  if (!a.ok()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), softac::sum(x.p, x.n));
}

Napi::Value Mean(const Napi::CallbackInfo& info) {
  Args a(info, "mean", 1);
  F32 x = a.f32(0, "x");
  if (!a.ok()) return info.Env().Undefined();
  // float32 division, as torch.mean on a float32 tensor; the mean of nothing is NaN.
  const float s = softac::sum(x.p, x.n);
  return Napi::Number::New(info.Env(), x.n == 0 ? NAN : s / static_cast<float>(x.n));
}

Napi::Value SumRows(const Napi::CallbackInfo& info) {
  Args a(info, "sumRows", 4);
  F32 out = a.f32(0, "out"), x = a.f32(1, "x");
  const int64_t rows = a.dim(2, "rows"), cols = a.dim(3, "cols");
  a.len(out, "out", rows, "rows");
  a.len(x, "x", rows * cols, "rows*cols");
  a.no_overlap(out, "out", x, "x");
  if (a.ok()) softac::sum_rows(out.p, x.p, rows, cols);
  return info.Env().Undefined();
}

Napi::Value SumColsAcc(const Napi::CallbackInfo& info) {
  Args a(info, "sumColsAcc", 4);
  F32 out = a.f32(0, "out"), x = a.f32(1, "x");
  const int64_t rows = a.dim(2, "rows"), cols = a.dim(3, "cols");
  a.len(out, "out", cols, "cols");
  a.len(x, "x", rows * cols, "rows*cols");
  a.no_overlap(out, "out", x, "x");
  if (a.ok()) softac::sum_cols_acc(out.p, x.p, rows, cols);
  return info.Env().Undefined();
}

Napi::Value SquashForward(const Napi::CallbackInfo& info) {
  Args a(info, "squashForward", 9);
  F32 act = a.f32(0, "a"), logp = a.f32(1, "logp", true), mu = a.f32(2, "mu");
  F32 ls = a.f32(3, "logStd"), eps = a.f32(4, "eps"), sc = a.f32(5, "scale"), sh = a.f32(6, "shift");
  const int64_t rows = a.dim(7, "rows"), A = a.dim(8, "A");
  a.len(act, "a", rows * A, "rows*A");
  a.len(logp, "logp", rows, "rows");
  a.len(mu, "mu", rows * A, "rows*A");
  a.len(ls, "logStd", rows * A, "rows*A");
  a.len(eps, "eps", rows * A, "rows*A");
  a.len(sc, "scale", A, "A");
  a.len(sh, "shift", A, "A");
  a.no_overlap(act, "a", logp, "logp");
  for (const auto& [o, on] : {std::pair<const F32*, const char*>{&act, "a"}, {&logp, "logp"}}) {
    a.no_overlap(*o, on, mu, "mu");
    a.no_overlap(*o, on, ls, "logStd");
    a.no_overlap(*o, on, eps, "eps");
    a.no_overlap(*o, on, sc, "scale");
    a.no_overlap(*o, on, sh, "shift");
  }
  if (a.ok())
    softac::squash_forward(act.p, logp.present ? logp.p : nullptr, mu.p, ls.p, eps.p, sc.p, sh.p,
                           rows, A);
  return info.Env().Undefined();
}

Napi::Value SquashBackward(const Napi::CallbackInfo& info) {
  Args a(info, "squashBackward", 10);
  F32 dmu = a.f32(0, "dmu"), dls = a.f32(1, "dlogStd"), da = a.f32(2, "da", true);
  F32 dlogp = a.f32(3, "dlogp", true), mu = a.f32(4, "mu"), ls = a.f32(5, "logStd");
  F32 eps = a.f32(6, "eps"), sc = a.f32(7, "scale");
  const int64_t rows = a.dim(8, "rows"), A = a.dim(9, "A");
  a.len(dmu, "dmu", rows * A, "rows*A");
  a.len(dls, "dlogStd", rows * A, "rows*A");
  a.len(da, "da", rows * A, "rows*A");
  a.len(dlogp, "dlogp", rows, "rows");
  a.len(mu, "mu", rows * A, "rows*A");
  a.len(ls, "logStd", rows * A, "rows*A");
  a.len(eps, "eps", rows * A, "rows*A");
  a.len(sc, "scale", A, "A");
  a.no_overlap(dmu, "dmu", dls, "dlogStd");
  for (const auto& [o, on] : {std::pair<const F32*, const char*>{&dmu, "dmu"}, {&dls, "dlogStd"}}) {
    a.no_overlap(*o, on, da, "da");
    a.no_overlap(*o, on, dlogp, "dlogp");
    a.no_overlap(*o, on, mu, "mu");
    a.no_overlap(*o, on, ls, "logStd");
    a.no_overlap(*o, on, eps, "eps");
    a.no_overlap(*o, on, sc, "scale");
  }
  if (a.ok())
    softac::squash_backward(dmu.p, dls.p, da.present ? da.p : nullptr,
                            dlogp.present ? dlogp.p : nullptr, mu.p, ls.p, eps.p, sc.p, rows, A);
  return info.Env().Undefined();
}

Napi::Value Adam(const Napi::CallbackInfo& info) {
  Args a(info, "adam", 10);
  F32 p = a.f32(0, "p"), g = a.f32(1, "g"), m = a.f32(2, "m"), v = a.f32(3, "v");
  const double t = a.number_in(4, "t", 1, 9007199254740991.0, "an integer >= 1");
  a.check(std::floor(t) == t, true, "argument 't' must be an integer >= 1, got " + std::to_string(t));
  const double lr = a.number_in(5, "lr", 0, INFINITY, "a finite number >= 0");
  const double b1 = a.number_in(6, "beta1", 0, 0.9999999999999999, "in [0, 1)");
  const double b2 = a.number_in(7, "beta2", 0, 0.9999999999999999, "in [0, 1)");
  const double eps = a.number_in(8, "eps", 0, INFINITY, "a number >= 0");
  const double wd = a.number_in(9, "weightDecay", 0, INFINITY, "a number >= 0");
  a.check(std::isfinite(lr), true, "argument 'lr' must be a finite number >= 0");
  a.len(g, "g", p.n, "p.length");
  a.len(m, "m", p.n, "p.length");
  a.len(v, "v", p.n, "p.length");
  a.no_overlap(p, "p", g, "g");
  a.no_overlap(p, "p", m, "m");
  a.no_overlap(p, "p", v, "v");
  a.no_overlap(m, "m", g, "g");
  a.no_overlap(m, "m", v, "v");
  a.no_overlap(v, "v", g, "g");
  if (a.ok()) softac::adam(p.p, g.p, m.p, v.p, p.n, static_cast<int64_t>(t), lr, b1, b2, eps, wd);
  return info.Env().Undefined();
}

Napi::Value Polyak(const Napi::CallbackInfo& info) {
  Args a(info, "polyak", 3);
  F32 targ = a.f32(0, "targ"), p = a.f32(1, "p");
  const double rho = a.number_in(2, "polyak", 0, 1, "in [0, 1]");
  a.len(p, "p", targ.n, "targ.length");
  a.no_overlap(targ, "targ", p, "p");
  if (a.ok()) softac::polyak(targ.p, p.p, rho, targ.n);
  return info.Env().Undefined();
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  Args a(info, "fill", 2);
  F32 x = a.f32(0, "x");
  const double value = a.number(1, "value");
  if (a.ok()) softac::fill(x.p, static_cast<float>(value), x.n);
  return info.Env().Undefined();
}

Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  Args a(info, "fmaPeak", 0);
  if (!a.ok()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), softac::fma_peak_gflops());
}

// The backstop of the `softac` command's exit (src/cli/main.ts): a thread that ends the
// process with `code` if it is still alive `ms` from now. process.exit's teardown joins
// V8's worker threads while the isolate lives on, and a compile job among them can be
// waiting for a garbage collection that only the exiting main thread could run
// (nodejs/node#54918): then nothing else would ever end the process.
Napi::Value ExitAfter(const Napi::CallbackInfo& info) {
  Args a(info, "exitAfter", 2);
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

#define SOFTAC_FN(name, body) \
  exports.Set(name, Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return body; }, name))

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  PinThisLibrary();
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("setSimdPath", Napi::Function::New(env, SetSimdPath, "setSimdPath"));
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
  exports.Set("linearForward", Napi::Function::New(env, LinearForward, "linearForward"));
  exports.Set("linearBackward", Napi::Function::New(env, LinearBackward, "linearBackward"));
  exports.Set("linearInputGrad", Napi::Function::New(env, LinearInputGrad, "linearInputGrad"));
  SOFTAC_FN("tanh", (Unary<softac::tanh_forward>(info, "tanh")));
  SOFTAC_FN("exp", (Unary<softac::exp_forward>(info, "exp")));
  SOFTAC_FN("log", (Unary<softac::log_forward>(info, "log")));
  SOFTAC_FN("softplus", (Unary<softac::softplus_forward>(info, "softplus")));
  SOFTAC_FN("relu", (Unary<softac::relu_forward>(info, "relu")));
  SOFTAC_FN("tanhBackward", (UnaryBackward<softac::tanh_backward>(info, "tanhBackward")));
  SOFTAC_FN("reluBackward", (UnaryBackward<softac::relu_backward>(info, "reluBackward")));
  SOFTAC_FN("reluGrad", (UnaryBackward<softac::relu_grad>(info, "reluGrad")));
  SOFTAC_FN("minimum", (Binary<softac::minimum_forward>(info, "minimum", false)));
  SOFTAC_FN("add", (Binary<softac::add>(info, "add", true)));
  SOFTAC_FN("mul", (Binary<softac::mul>(info, "mul", true)));
  exports.Set("clamp", Napi::Function::New(env, Clamp, "clamp"));
  exports.Set("clampBackward", Napi::Function::New(env, ClampBackward, "clampBackward"));
  exports.Set("minimumBackward", Napi::Function::New(env, MinimumBackward, "minimumBackward"));
  exports.Set("axpy", Napi::Function::New(env, Axpy, "axpy"));
  exports.Set("scale", Napi::Function::New(env, Scale, "scale"));
  exports.Set("sum", Napi::Function::New(env, Sum, "sum"));
  exports.Set("mean", Napi::Function::New(env, Mean, "mean"));
  exports.Set("sumRows", Napi::Function::New(env, SumRows, "sumRows"));
  exports.Set("sumColsAcc", Napi::Function::New(env, SumColsAcc, "sumColsAcc"));
  exports.Set("squashForward", Napi::Function::New(env, SquashForward, "squashForward"));
  exports.Set("squashBackward", Napi::Function::New(env, SquashBackward, "squashBackward"));
  exports.Set("adam", Napi::Function::New(env, Adam, "adam"));
  exports.Set("polyak", Napi::Function::New(env, Polyak, "polyak"));
  exports.Set("fill", Napi::Function::New(env, Fill, "fill"));
  exports.Set("fmaPeak", Napi::Function::New(env, FmaPeak, "fmaPeak"));
  exports.Set("exitAfter", Napi::Function::New(env, ExitAfter, "exitAfter"));
  return exports;
}

#undef SOFTAC_FN

}  // namespace

NODE_API_MODULE(softac, Init)
