#!/usr/bin/env bash
# The linux-arm64 prebuild on an arm64 Node, under qemu-aarch64: Debian's arm64 nodejs (v18,
# which loads Node-API v8 addons too) and the arm64 libraries it needs are unpacked into
# build-arm64-node/ (dpkg --add-architecture arm64, apt-get download, dpkg-deb -x), then the
# kernel tests run there through the given addon, on its scalar and NEON paths.
#
#   scripts/check-arm64-prebuild.sh build-prebuild/linux-arm64/Release/softac.node
#
# backend.test.js is left out: it starts child processes from process.execPath, an arm64
# binary the kernel cannot run without qemu registered in binfmt_misc. Needs root (apt) and
# the TypeScript built.
set -euo pipefail
cd "$(dirname "$0")/.."
addon=${1:?usage: scripts/check-arm64-prebuild.sh ARM64_ADDON}
[[ -f $addon ]] || { echo "check-arm64-prebuild: no file at $addon"; exit 1; }
root=build-arm64-node

if [[ ! -x $root/usr/bin/node ]]; then
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  apt-get update -qq
  rm -rf "$root.debs" && mkdir -p "$root.debs" "$root"
  # libnode108's Depends: its arm64 libraries, and the JavaScript it loads from /usr/share.
  (cd "$root.debs" && apt-get download -qq nodejs:arm64 libnode108:arm64 libbrotli1:arm64 \
    libc-ares2:arm64 libc6:arm64 libgcc-s1:arm64 libicu72:arm64 libnghttp2-14:arm64 libssl3:arm64 \
    libstdc++6:arm64 libuv1:arm64 zlib1g:arm64 node-acorn node-cjs-module-lexer node-undici)
  for deb in "$root.debs"/*.deb; do dpkg-deb -x "$deb" "$root"; done
fi

SOFTAC_BACKEND=native SOFTAC_ADDON=$addon qemu-aarch64 -L "$root" "$root/usr/bin/node" \
  node_modules/uvu/bin.js dist/test/kernels '\.test\.js$' -i backend
