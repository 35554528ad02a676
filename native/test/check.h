// A minimal test harness for the native kernel test driver (no framework to install, and
// it cross-compiles for aarch64 as is). A test is a function registered with TEST(name);
// CHECK records a failure with a message and carries on.
#pragma once
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

}  // namespace softac_test

#define TEST(name)                                                   \
  static void name();                                                \
  static softac_test::Registrar name##_registrar(#name, &name);      \
  static void name()

#define CHECK(cond, ...)                                                              \
  do {                                                                                \
    if (!(cond)) softac_test::fail(__FILE__, __LINE__, softac_test::fmt(__VA_ARGS__)); \
  } while (0)
