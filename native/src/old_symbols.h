// Force-included (-include) into every source of the prebuilt binaries
// (SOFTAC_OLD_SYMBOLS=ON, scripts/prebuild.mjs). They are built on Debian 12 (glibc 2.36,
// GCC 12), and the linker binds each libc and libstdc++ symbol to its newest version; for
// five of ours that version is far newer than the code needs, and would keep the binaries
// from loading on older Linux. These bind them to the oldest version, which does the same
// for our calls:
//   pow                        GLIBC_2.29 dropped SVID error handling (we pass finite values)
//   pthread_mutex_trylock      GLIBC_2.34 only moved it from libpthread into libc
//   dlopen, dladdr             GLIBC_2.34 only moved them from libdl into libc; before it they
//                              come from libdl.so.2, which Node itself loads (it dlopens addons)
//   condition_variable::wait   GLIBCXX_3.4.30 only lets thread cancellation through
//                              (GCC 12); nothing here cancels threads
// Then the newest versions they need are GLIBC_2.17 (the first aarch64 glibc; 2.16 on x64)
// and GLIBCXX_3.4.22 (GCC 6).
#pragma once
#if defined(__x86_64__)
#define SOFTAC_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define SOFTAC_GLIBC_BASE "GLIBC_2.17"
#else
#error "old_symbols.h: no base glibc version known for this architecture"
#endif
__asm__(".symver pow,pow@" SOFTAC_GLIBC_BASE);
__asm__(".symver pthread_mutex_trylock,pthread_mutex_trylock@" SOFTAC_GLIBC_BASE);
__asm__(".symver dlopen,dlopen@" SOFTAC_GLIBC_BASE);
__asm__(".symver dladdr,dladdr@" SOFTAC_GLIBC_BASE);
__asm__(".symver _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE,"
        "_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.11");
