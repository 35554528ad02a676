// The native kernel test driver: runs every registered test and ends with the line
// "N passed, N failed" that CI reads. Built natively, and cross-compiled for aarch64 and
// run under qemu-aarch64 so that the NEON path is checked too.
#include <cstdarg>
#include <cstdio>

#include "../src/dispatch.h"
#include "check.h"

namespace softac_test {

namespace {
int g_failures_in_case = 0;
}

std::vector<Case>& registry() {
  static std::vector<Case> r;
  return r;
}

void fail(const char* file, int line, const std::string& msg) {
  if (g_failures_in_case < 10) std::printf("    FAIL %s:%d: %s\n", file, line, msg.c_str());
  ++g_failures_in_case;
}

std::string fmt(const char* f, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

}  // namespace softac_test

int main() {
  std::printf("softac native tests; runnable paths:");
  for (const auto& p : softac::runnable_paths()) std::printf(" %s", p.c_str());
  std::printf(" (compiled:");
  for (const auto& p : softac::compiled_paths()) std::printf(" %s", p.c_str());
  std::printf(")\n");
  int passed = 0, failed = 0;
  for (const auto& c : softac_test::registry()) {
    softac_test::g_failures_in_case = 0;
    c.fn();
    const bool ok = softac_test::g_failures_in_case == 0;
    std::printf("%s %s\n", ok ? "  ok  " : "  FAIL", c.name);
    (ok ? passed : failed)++;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
