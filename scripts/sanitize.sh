#!/usr/bin/env bash
# The native code under AddressSanitizer and UndefinedBehaviorSanitizer (SOFTAC_SANITIZE in
# native/CMakeLists.txt: -fsanitize=address,undefined -fno-sanitize-recover=all, so any
# report ends the run with a non-zero status). Everything is built in build-asan/; the
# release addon in build/Release is not touched.
#
#   scripts/sanitize.sh native   the native kernel test driver (build-asan/native)
#   scripts/sanitize.sh addon    the addon (build-asan/addon, cmake-js), and the kernel tests
#                                with the boundary-misuse tests (dist/test/kernels) through it
#   scripts/sanitize.sh          both
#
# The addon step needs the TypeScript built (npm run build:ts).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

if [[ $what == native || $what == all ]]; then
  cmake -S native -B build-asan/native -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOFTAC_SANITIZE=ON >/dev/null
  cmake --build build-asan/native -j 2 --target softac_native_test >/dev/null
  ./build-asan/native/softac_native_test
fi

if [[ $what == addon || $what == all ]]; then
  node node_modules/cmake-js/bin/cmake-js compile --directory native --out build-asan/addon \
    --config RelWithDebInfo --CDSOFTAC_SANITIZE=ON --parallel 2 >build-asan/addon-build.log 2>&1 \
    || { tail -20 build-asan/addon-build.log; echo "sanitize: the ASan addon failed to build"; exit 1; }
  # node itself is not built with ASan, so its runtime must be loaded before anything else
  # (else: "ASan runtime does not come first in initial library list"); the addon's own
  # libubsan comes in as its dependency. V8 keeps memory alive at exit by design, which
  # LeakSanitizer would report as leaks that are not ours.
  LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 \
    SOFTAC_BACKEND=native SOFTAC_ADDON=build-asan/addon/RelWithDebInfo/softac.node \
    node node_modules/uvu/bin.js dist/test/kernels '\.test\.js$'
fi
