// Builds wasm/softac.wasm, the WebAssembly backend (src/kernels/wasm.ts): the kernels of
// native/src (isa/kernels_wasm.cc over vec_wasm.h, the driver ops.cc) with the plain C ABI
// of native/src/wasm/exports.cc, for wasm32 with SIMD128, by Debian's clang 14 and wasi-libc
// (apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32). The module imports
// nothing (no WASI calls are linked), so the same file runs in Node and in a browser.
// wasm-opt (binaryen) runs on it when installed.
//
// Run by `npm install` after the addon: there it does nothing when wasm/softac.wasm is newer
// than every source (the package ships it), and a missing toolchain only prints why (the
// wasm backend then reports the same at run time). `npm run build:wasm` and `npm pack`'s
// prepack (scripts/prebuild.mjs) pass --strict: always build, and a missing toolchain is an
// error.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const src = join(root, 'native', 'src');
const sources = ['isa/kernels_wasm.cc', 'ops.cc', 'wasm/runtime.cc', 'wasm/exports.cc'];
const objDir = join(root, 'build-wasm');
const out = join(root, 'wasm', 'softac.wasm');

// -ffp-contract=off and -fno-math-errno as native/CMakeLists.txt: no fused multiply-adds
// the source did not ask for, so the arithmetic is the one every path agrees on.
const cflags = ['--target=wasm32-wasi', '-msimd128', '-O3', '-std=c++17', '-ffp-contract=off', '-fno-math-errno',
  '-fno-exceptions', '-fno-rtti', '-Wall', '-Wextra'];

/** Every file under dir, recursively. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

if (!strict && existsSync(out)) {
  const built = statSync(out).mtimeMs;
  if (files(src).every((f) => statSync(f).mtimeMs <= built)) process.exit(0);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  return r.error ? `${cmd}: ${r.error.message}` : r.status === 0 ? null : `${cmd} exited with ${r.status ?? r.signal}`;
}

/** The first of the names that runs with `--version`, or null. */
function find(names) {
  return names.find((n) => {
    const r = spawnSync(n, ['--version'], { stdio: 'ignore' });
    return !r.error && r.status === 0;
  }) ?? null;
}

function give(why) {
  console.error(`softac: the WebAssembly backend was not built: ${why}`);
  process.exit(strict ? 1 : 0);
}

const cxx = find(['clang++-14', 'clang++']);
if (!cxx) give('no clang++ (apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32)');
const ld = find(['wasm-ld-14', 'wasm-ld']);
if (!ld) give('no wasm-ld (apt-get install lld-14)');
const libc = spawnSync(cxx, ['--target=wasm32-wasi', '-print-file-name=libc.a'], { encoding: 'utf8' }).stdout?.trim();
if (!libc || !existsSync(libc)) give('no wasi-libc for wasm32-wasi (apt-get install wasi-libc)');
const builtins = spawnSync(cxx, ['--target=wasm32-wasi', '-print-libgcc-file-name'], { encoding: 'utf8' }).stdout?.trim();
if (!builtins || !existsSync(builtins)) give('no compiler-rt builtins for wasm32 (apt-get install libclang-rt-14-dev-wasm32)');

mkdirSync(objDir, { recursive: true });
mkdirSync(dirname(out), { recursive: true });
const objects = [];
for (const s of sources) {
  const o = join(objDir, s.replace(/[/.]/g, '_') + '.o');
  const err = run(cxx, [...cflags, '-c', join(src, s), '-o', o]);
  if (err) give(`compiling native/src/${s}: ${err}`);
  objects.push(o);
}
// No entry point (a library), no symbols, unused code dropped. 16 MiB to start with (a SAC
// update at batch 256 and hidden 256x256 stages about 6 MiB); the memory grows on demand.
const linked = `${out}.tmp`;
const err = run(ld, ['--no-entry', '--strip-all', '--gc-sections', '--initial-memory=16777216', '-z', 'stack-size=1048576',
  ...objects, libc, builtins, '-o', linked]);
if (err) give(`linking: ${err}`);
const opt = find(['wasm-opt']);
if (opt) {
  const e = run(opt, ['--enable-simd', '-O3', linked, '-o', linked]);
  if (e) give(`wasm-opt: ${e}`);
}
rmSync(out, { force: true });
renameSync(linked, out);
console.error(`softac: wasm/softac.wasm${opt ? ' (wasm-opt -O3)' : ''}`);
