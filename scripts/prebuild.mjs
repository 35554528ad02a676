// Builds the binaries that `npm pack` puts in the package (its `prepack` step):
// prebuilds/linux-x64/softac.node natively and prebuilds/linux-arm64/softac.node with
// Debian's aarch64 cross compiler (g++-aarch64-linux-gnu), both by cmake-js from
// native/CMakeLists.txt, and wasm/softac.wasm (scripts/build-wasm.mjs). Each addon carries
// every SIMD path of its architecture and picks one at run time (x64: scalar, AVX2,
// AVX-512; arm64: scalar, NEON). Node-API binaries link no
// libnode: napi_* resolve when Node loads them, so one binary serves every Node >= 20.17.
// `--clean` (the `postpack` step) removes prebuilds/ again: in a checkout, a prebuild left
// there would be loaded before the local build a developer has just rebuilt.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cmakeJs = createRequire(import.meta.url).resolve('cmake-js/bin/cmake-js');

if (process.argv.includes('--clean')) {
  rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
  process.exit(0);
}

const targets = [
  { tag: 'linux-x64', args: [] },
  { tag: 'linux-arm64', args: ['--arch', 'arm64', '--CDCMAKE_SYSTEM_NAME=Linux', '--CDCMAKE_SYSTEM_PROCESSOR=aarch64',
    '--CDCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++'] },
];

if (process.platform !== 'linux' || process.arch !== 'x64') {
  fail(`prebuilds are made on linux-x64 (this is ${process.platform}-${process.arch})`);
}
const cross = spawnSync('aarch64-linux-gnu-g++', ['--version']);
if (cross.error || cross.status !== 0) {
  fail('aarch64-linux-gnu-g++ not found (apt-get install -y --no-install-recommends g++-aarch64-linux-gnu)');
}

rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
for (const { tag, args } of targets) {
  const out = join(root, 'build-prebuild', tag);
  // A fresh build directory: CMake caches the compiler, and a stale cache would mix targets.
  rmSync(out, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [cmakeJs, 'compile', '--directory', join(root, 'native'), '--out', out,
    // -s: no symbol tables in a shipped binary. SOFTAC_OLD_SYMBOLS: old glibc/libstdc++
    // symbol versions where the newest are not needed (native/src/old_symbols.h).
    '--parallel', '2', '--CDCMAKE_SHARED_LINKER_FLAGS=-s', '--CDSOFTAC_OLD_SYMBOLS=ON', ...args], { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) fail(`cmake-js for ${tag} exited with ${r.status ?? r.signal}`);
  mkdirSync(join(root, 'prebuilds', tag), { recursive: true });
  copyFileSync(join(out, 'Release', 'softac.node'), join(root, 'prebuilds', tag, 'softac.node'));
  // stderr, like the build's output: `npm pack --json` prints its result on stdout.
  console.error(`softac: prebuilds/${tag}/softac.node`);
}

// The WebAssembly module, the package's fallback on every other platform (wasm/softac.wasm),
// built afresh so the tarball never ships a stale one.
const wasm = spawnSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), '--strict'], { cwd: root, stdio: ['ignore', 2, 2] });
if (wasm.status !== 0) fail(`scripts/build-wasm.mjs exited with ${wasm.status ?? wasm.signal}`);

function fail(why) {
  console.error(`softac: prebuild failed: ${why}`);
  process.exit(1);
}
