// How far apart two threads' cores are, as the plans' two lanes see it: the round trip of a
// cache line bounced between two threads (one atomic, each thread waiting for the other's
// store), in nanoseconds. On the 2-core AMD EPYC VM of the README it read 180-190 ns at
// some hours and 440-560 ns at others; two-thread updates ran 1.8x and 1.3x one thread.
//
//   g++ -O2 -pthread scripts/pingpong.cc -o /tmp/pingpong && /tmp/pingpong
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

int main() {
  constexpr int kRounds = 200000;
  std::atomic<int> line{0};
  for (int r = 0; r < 3; ++r) {
    line.store(0);
    std::thread other([&] {
      for (int i = 0; i < kRounds; ++i) {
        while (line.load(std::memory_order_acquire) != 2 * i + 1) {
        }
        line.store(2 * i + 2, std::memory_order_release);
      }
    });
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i) {
      line.store(2 * i + 1, std::memory_order_release);
      while (line.load(std::memory_order_acquire) != 2 * i + 2) {
      }
    }
    const auto t1 = std::chrono::steady_clock::now();
    other.join();
    std::printf("round trip %.1f ns\n", std::chrono::duration<double, std::nano>(t1 - t0).count() / kRounds);
  }
}
