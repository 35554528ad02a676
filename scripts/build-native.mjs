// Builds the native addon with cmake-js from native/CMakeLists.txt (npm's `install` step).
// Without a working compiler or CMake the package still works on the TypeScript backend:
// then this prints one warning line and exits 0. With --strict (npm run build:native, CI)
// a failed build is an error. When the package holds a prebuilt binary for this platform
// (prebuilds/, put there by `npm pack`), there is nothing to build and it exits at once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const strict = process.argv.includes('--strict');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// The same test as the loader's (src/kernels/native.ts): the Linux prebuilds need glibc.
const prebuild = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'softac.node');
if (!strict && existsSync(prebuild)
  && (process.platform !== 'linux' || process.report.getReport().header.glibcVersionRuntime !== undefined)) {
  process.exit(0);
}

if (process.env.SOFTAC_SKIP_NATIVE_BUILD === '1' && !strict) {
  console.warn('softac: SOFTAC_SKIP_NATIVE_BUILD=1, native addon not built; using the TypeScript backend');
  process.exit(0);
}

let cmakeJs;
try {
  cmakeJs = require.resolve('cmake-js/bin/cmake-js');
} catch {
  fail('cmake-js is not installed');
}

const args = [cmakeJs, 'compile', '--directory', join(root, 'native'), '--out', join(root, 'build')];
if (process.env.SOFTAC_DEBUG_BUILD === '1') args.push('--debug');
const r = spawnSync(process.execPath, args, { cwd: root, stdio: strict ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
if (r.status !== 0) {
  const tail = r.stderr ? r.stderr.toString().trim().split('\n').slice(-3).join(' | ') : '';
  fail(`cmake-js exited with ${r.status ?? r.signal}${tail ? `: ${tail}` : ''}`);
}
if (!strict) console.log('softac: native addon built (build/Release/softac.node)');

function fail(why) {
  if (strict) {
    console.error(`softac: native build failed: ${why}`);
    process.exit(1);
  }
  console.warn(`softac: native addon not built (${why}); using the TypeScript backend`);
  process.exit(0);
}
