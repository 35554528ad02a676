#include "dispatch.h"

#include <cstdlib>

#if defined(__x86_64__) || defined(_M_X64)
#define SOFTAC_X86 1
#include <cpuid.h>
#endif

namespace softac {
namespace {

#ifdef SOFTAC_X86
// XGETBV(0): which register states the OS saves on a context switch. A CPU may have
// AVX-512 while the OS does not enable ZMM state; then using it would fault.
unsigned long long xgetbv0() {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

struct X86Features {
  bool avx2_fma = false;
  bool avx512 = false;  // F + DQ + BW + VL, with OS support for opmask and ZMM state
};

X86Features detect_x86() {
  X86Features f;
  unsigned int a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool fma = c & (1u << 12);
  const bool osxsave = c & (1u << 27);
  const bool avx = c & (1u << 28);
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = xgetbv0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;            // SSE + AVX state
  const bool zmm_state = (xcr0 & 0xe6) == 0xe6;          // + opmask, ZMM_Hi256, Hi16_ZMM
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  const bool avx2 = b & (1u << 5);
  const bool avx512f = b & (1u << 16), avx512dq = b & (1u << 17);
  const bool avx512bw = b & (1u << 30), avx512vl = b & (1u << 31);
  f.avx2_fma = ymm_state && avx2 && fma;
  f.avx512 = f.avx2_fma && zmm_state && avx512f && avx512dq && avx512bw && avx512vl;
  return f;
}
#endif

const softac_kernel_table* g_active = nullptr;
std::string g_env_error;

}  // namespace

std::vector<std::string> compiled_paths() {
  std::vector<std::string> p{"scalar"};
#ifdef SOFTAC_HAVE_AVX2
  p.push_back("avx2");
#endif
#ifdef SOFTAC_HAVE_AVX512
  p.push_back("avx512");
#endif
#ifdef SOFTAC_HAVE_NEON
  p.push_back("neon");
#endif
  return p;
}

bool cpu_supports(const std::string& path) {
  if (path == "scalar") return true;
#ifdef SOFTAC_X86
  static const X86Features f = detect_x86();
  if (path == "avx2") return f.avx2_fma;
#ifdef SOFTAC_AVX512_EMULATED  // test/emu build: _mm512_* emulated, the packing runs AVX2
  if (path == "avx512") return f.avx2_fma;
#endif
  if (path == "avx512") return f.avx512;
#endif
#if defined(__aarch64__)
  if (path == "neon") return true;  // Advanced SIMD is mandatory on AArch64
#endif
  return false;
}

std::vector<std::string> runnable_paths() {
  std::vector<std::string> out;
  for (const auto& p : compiled_paths())
    if (cpu_supports(p)) out.push_back(p);
  return out;
}

const softac_kernel_table* table_for(const std::string& path) {
  if (path == "scalar") return softac_kernels_scalar();
#ifdef SOFTAC_HAVE_AVX2
  if (path == "avx2") return softac_kernels_avx2();
#endif
#ifdef SOFTAC_HAVE_AVX512
  if (path == "avx512") return softac_kernels_avx512();
#endif
#ifdef SOFTAC_HAVE_NEON
  if (path == "neon") return softac_kernels_neon();
#endif
  return nullptr;
}

bool select_path(const std::string& path, std::string* why) {
  const auto compiled = compiled_paths();
  bool known = path == "scalar" || path == "avx2" || path == "avx512" || path == "neon";
  if (!known) {
    if (why) *why = "unknown SIMD path '" + path + "' (expected scalar, avx2, avx512 or neon)";
    return false;
  }
  const softac_kernel_table* t = table_for(path);
  if (!t) {
    if (why) *why = "SIMD path '" + path + "' is not compiled into this build of the addon";
    return false;
  }
  if (!cpu_supports(path)) {
    if (why) *why = "SIMD path '" + path + "' is not supported by this CPU/OS";
    return false;
  }
  g_active = t;
  return true;
}

const softac_kernel_table* active() {
  if (g_active) return g_active;
  const char* env = std::getenv("SOFTAC_SIMD");
  if (env && *env) {
    std::string why;
    if (select_path(env, &why)) return g_active;
    g_env_error = "SOFTAC_SIMD=" + std::string(env) + ": " + why;
  }
  g_active = table_for(runnable_paths().back());
  return g_active;
}

const std::string& env_error() {
  active();
  return g_env_error;
}

}  // namespace softac
