// Linked into the prebuilt binaries only (SOFTAC_OLD_SYMBOLS=ON; see old_symbols.h).
// GCC 11 and later make every array new and every std::allocator<T>::allocate call
// std::__throw_bad_array_new_length when the count overflows; libstdc++ exports it only
// from GLIBCXX_3.4.29 (GCC 11), so one use would raise the binaries' libstdc++ floor from
// GCC 6 to GCC 11. A hidden definition here binds those calls inside the binary instead;
// it throws what libstdc++'s own does (std::bad_array_new_length, CXXABI_1.3.8, GCC 4.9).
#include <new>

namespace std {
__attribute__((visibility("hidden"), noreturn)) void __throw_bad_array_new_length() {
  throw bad_array_new_length();
}
}  // namespace std
