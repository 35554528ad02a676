/**
 * Choosing the backend: SOFTAC_BACKEND and SOFTAC_SIMD, the fallback to WebAssembly when
 * the addon is missing, then to the TypeScript backend with a one-line warning when the
 * module is missing too, and the errors when a forced backend or path cannot be had. Each case runs in a child process, since the choice is
 * made once per process.
 */
import { fileURLToPath } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { tryLoadNative, tryLoadWasm } from '../../src/kernels/index.js';
import { cleanEnv, runCliSync, runSync } from '../helpers/spawn.js';

const indexUrl = new URL('../../src/kernels/index.js', import.meta.url).href;

function run(env: Record<string, string>, body: string) {
  const script = `import(${JSON.stringify(indexUrl)}).then((m) => { ${body} })` +
    '.catch((e) => { console.log("ERROR " + e.constructor.name + ": " + e.message); });';
  const r = runSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...cleanEnv(), SOFTAC_BACKEND: '', SOFTAC_SIMD: '', SOFTAC_ADDON: '', SOFTAC_WASM: '', ...env },
  });
  assert.is(r.status, 0, r.stderr);
  return { stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

const missing = fileURLToPath(new URL('./no-such-addon.node', import.meta.url));
const missingWasm = fileURLToPath(new URL('./no-such-module.wasm', import.meta.url));

test('without the addon and the module, auto falls back to the TypeScript backend with one warning line', () => {
  const r = run({ SOFTAC_ADDON: missing, SOFTAC_WASM: missingWasm }, 'const k = m.getKernels(); m.getKernels(); console.log(k.backend);');
  assert.is(r.stdout, 'js');
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.is(lines.length, 1, `expected one warning line, got: ${r.stderr}`);
  assert.match(lines[0]!, /no native addon \(SOFTAC_ADDON: no file at .*no-such-addon\.node\); no WebAssembly backend \(SOFTAC_WASM: no file at .*no-such-module\.wasm\); using the TypeScript backend/);
});

test('SOFTAC_BACKEND=wasm without the module is an error that says why', () => {
  const r = run({ SOFTAC_WASM: missingWasm, SOFTAC_BACKEND: 'wasm' }, 'm.getKernels();');
  assert.match(r.stdout, /^ERROR Error: softac: the WebAssembly backend is unavailable: SOFTAC_WASM: no file at .*no-such-module\.wasm/);
});

test('SOFTAC_BACKEND=native without the addon is an error that says why', () => {
  const r = run({ SOFTAC_ADDON: missing, SOFTAC_BACKEND: 'native' }, 'm.getKernels();');
  assert.match(r.stdout, /^ERROR Error: softac: the native backend is unavailable: no native addon \(SOFTAC_ADDON: no file at .*no-such-addon\.node\)/);
});

test('SOFTAC_BACKEND with a bad value is a RangeError naming it', () => {
  const r = run({ SOFTAC_BACKEND: 'gpu' }, 'm.getKernels();');
  assert.is(r.stdout, "ERROR RangeError: SOFTAC_BACKEND must be js, native, wasm or auto, got 'gpu'");
});

test('SOFTAC_BACKEND=js uses the reference even when the addon exists', () => {
  const r = run({ SOFTAC_BACKEND: 'js' }, 'console.log(JSON.stringify(m.getKernels().info()));');
  assert.equal(JSON.parse(r.stdout), { backend: 'js', path: 'js', paths: [], compiledPaths: [], threads: 1 });
});

function softacInfo(env: Record<string, string>): string[] {
  const r = runCliSync(['info'], { env: { ...cleanEnv(), SOFTAC_BACKEND: '', SOFTAC_SIMD: '', SOFTAC_ADDON: '', SOFTAC_WASM: '', ...env } });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.split('\n');
}

test('softac info names no addon, no module and why each place was passed over', () => {
  const lines = softacInfo({ SOFTAC_ADDON: missing, SOFTAC_WASM: missingWasm });
  assert.ok(lines.includes('backend: js'), lines.join('\n'));
  assert.ok(lines.includes('native addon: none'), lines.join('\n'));
  assert.ok(lines.includes(`  skipped SOFTAC_ADDON: no file at ${missing}`), lines.join('\n'));
  assert.ok(lines.includes('WebAssembly: none'), lines.join('\n'));
  assert.ok(lines.includes(`  skipped SOFTAC_WASM: no file at ${missingWasm}`), lines.join('\n'));
});

const wasm = tryLoadWasm();
if (process.env.SOFTAC_BACKEND === 'wasm' && !wasm) throw new Error('SOFTAC_BACKEND=wasm but wasm/softac.wasm is not built');

if (wasm) {
  test('without the addon, auto picks WebAssembly, without a warning', () => {
    const r = run({ SOFTAC_ADDON: missing }, 'console.log(JSON.stringify(m.getKernels().info()));');
    assert.equal(JSON.parse(r.stdout), { backend: 'wasm', path: 'wasm', paths: ['wasm'], compiledPaths: ['wasm'], threads: 1 });
    assert.is(r.stderr, '');
  });

  test('SOFTAC_BACKEND=wasm uses the module even when the addon exists', () => {
    const r = run({ SOFTAC_BACKEND: 'wasm' }, 'console.log(m.getKernels().backend);');
    assert.is(r.stdout, 'wasm');
  });

  test('softac info names the module and why the addon was passed over', () => {
    const lines = softacInfo({ SOFTAC_ADDON: missing });
    assert.ok(lines.includes('backend: wasm'), lines.join('\n'));
    assert.ok(lines.includes(`  skipped SOFTAC_ADDON: no file at ${missing}`), lines.join('\n'));
    assert.ok(lines.includes('WebAssembly: wasm/softac.wasm'), lines.join('\n'));
    assert.ok(lines.includes('SIMD path: wasm (SIMD128), 1 thread'), lines.join('\n'));
  });
}

const native = tryLoadNative();
if (process.env.SOFTAC_BACKEND === 'native' && !native) throw new Error('SOFTAC_BACKEND=native but the addon is not built');

if (native) {
  const info = native.info();

  test('auto picks the widest runnable SIMD path and all the cores', () => {
    const r = run({}, 'console.log(JSON.stringify(m.getKernels().info()));');
    const i = JSON.parse(r.stdout);
    assert.is(i.backend, 'native');
    assert.is(i.path, info.paths[info.paths.length - 1]);
    assert.ok(i.threads >= 1);
    assert.ok(i.compiledPaths.includes('scalar'));
  });

  test('softac info names the addon file that loaded and where it came from', () => {
    const lines = softacInfo({});
    assert.ok(lines.includes('backend: native'), lines.join('\n'));
    const tag = `${process.platform}-${process.arch}`;
    const loaded = lines.find((l) => l.startsWith('native addon: '));
    if (loaded === `native addon: prebuilds/${tag}/softac.node (prebuild)`) return;
    assert.is(loaded, 'native addon: build/Release/softac.node (local build)');
    assert.ok(lines.includes(`  skipped prebuild: none for ${tag}`), lines.join('\n'));
  });

  test('SOFTAC_SIMD forces each runnable path', () => {
    for (const path of info.paths) {
      const r = run({ SOFTAC_SIMD: path, SOFTAC_BACKEND: 'native' }, 'console.log(m.getKernels().info().path);');
      assert.is(r.stdout, path);
    }
  });

  test('SOFTAC_SIMD naming an unknown or unsupported path is an error that says why', () => {
    const bad = run({ SOFTAC_SIMD: 'sse9', SOFTAC_BACKEND: 'native' }, 'm.getKernels();');
    assert.match(bad.stdout, /^ERROR Error: softac: the native backend is unavailable: SOFTAC_SIMD=sse9: unknown SIMD path 'sse9'/);
    for (const path of ['scalar', 'avx2', 'avx512', 'neon'] as const) {
      if (info.paths.includes(path)) continue;
      const r = run({ SOFTAC_SIMD: path, SOFTAC_BACKEND: 'native' }, 'm.getKernels();');
      const why = info.compiledPaths.includes(path) ? 'is not supported by this CPU/OS' : 'is not compiled into this build';
      assert.ok(r.stdout.includes(`SOFTAC_SIMD=${path}: SIMD path '${path}' ${why}`), r.stdout);
    }
  });

  test('setSimdPath refuses a path this machine cannot run, naming it', () => {
    for (const path of ['avx512', 'neon', 'avx2'] as const) {
      if (info.paths.includes(path)) continue;
      assert.throws(() => native.setSimdPath(path), (e: Error) => e instanceof RangeError && e.message.includes(`'${path}'`));
    }
    assert.throws(() => native.setSimdPath('mmx' as never), (e: Error) => e instanceof RangeError && /setSimdPath: .*mmx/.test(e.message));
  });

  test('the FMA peak probe gives a positive GFLOPS figure on every path', () => {
    for (const path of info.paths) {
      native.setSimdPath(path);
      const g = native.fmaPeak();
      assert.ok(Number.isFinite(g) && g > 0.1, `${path}: ${g}`);
    }
    native.setSimdPath(info.path as never);
  });
}

test.run();
