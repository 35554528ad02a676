// A minimal test harness for the native kernel test driver (no framework to install, and
// it cross-compiles for aarch64 as is). A test is a function registered with TEST(name);
// CHECK records a failure with a message and carries on.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace softac_test {

struct Case {
  const char* name;
  void (*fn)();
};
std::vector<Case>& registry();
// Records one failed expectation of the running test (printed once per test, capped).
void fail(const char* file, int line, const std::string& msg);
struct Registrar {
  Registrar(const char* name, void (*fn)()) { registry().push_back({name, fn}); }
};
// printf into a std::string, for CHECK messages.
std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));

// Deterministic uniform test data (xorshift64*, Vigna 2016), the same on every platform,
// so a failure under qemu reproduces natively.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t bits() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1Dull;
  }
  // Uniform in [lo, hi), from the top 24 bits.
  float uniform(float lo, float hi) {
    const double u = static_cast<double>(bits() >> 40) / 16777216.0;  // [0, 1)
    return static_cast<float>(lo + (hi - lo) * u);
  }
  std::vector<float> vec(int64_t n, float lo = -1.0f, float hi = 1.0f) {
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) x = uniform(lo, hi);
    return v;
  }
};

}  // namespace softac_test

#define TEST(name)                                                   \
  static void name();                                                \
  static softac_test::Registrar name##_registrar(#name, &name);      \
  static void name()

#define CHECK(cond, ...)                                                              \
  do {                                                                                \
    if (!(cond)) softac_test::fail(__FILE__, __LINE__, softac_test::fmt(__VA_ARGS__)); \
  } while (0)
