/** Replays from the command line: `softac eval --render PAGE`, and its bad paths and envs. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { referenceKernels } from '../../src/kernels/index.js';
import { SAC } from '../../src/sac/sac.js';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const softac = (args: string[]) => {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env;
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env, timeout: 120_000 });
};
const dir = mkdtempSync(join(tmpdir(), 'softac-replay-'));
/** What a replay page carries: its JSON, and its caption. */
const pageOf = (file: string) => {
  const html = readFileSync(file, 'utf8');
  return { data: JSON.parse(/<script type="application\/json" id="replay-data">(.*?)<\/script>/s.exec(html)![1]!), caption: /<p class="meta">([^<]*)/.exec(html)![1]! };
};

const pendulumModel = join(dir, 'pendulum.safetensors');
new SAC(referenceKernels, 3, { low: [-2], high: [2] }, { hidden: [8, 8] }, 4).saveModel(pendulumModel);

test('eval --render writes the first episode as a page whose return is the printed one', () => {
  const page = join(dir, 'pendulum.html');
  const r = softac(['eval', '--model', pendulumModel, '--env', 'Pendulum-v1', '--episodes', '2', '--seed', '3', '--render', page, '--backend', 'js']);
  assert.is(r.status, 0, r.stderr);
  const { data, caption } = pageOf(page);
  assert.match(r.stdout, new RegExp(`^episode 1: return ${data.ret.toFixed(3)}, length 200$`, 'm'));
  assert.match(r.stdout, new RegExp(`replay of episode 1 \\(return ${data.ret.toFixed(3)}, 200 steps\\): ${page} \\(\\d+ KiB\\)`));
  assert.is(data.seed, 3);
  assert.is(data.scene.kind, 'pendulum');
  assert.match(caption, /softac eval --model .*pendulum\.safetensors\. A deterministic episode/);
});

test('eval --render refuses a path it cannot write, before running, naming the file (exit 1)', () => {
  const cases: [string, RegExp][] = [
    [join(dir, 'no-such-dir', 'r.html'), /--render .*no-such-dir\/r\.html: cannot write the replay there: the directory .*no-such-dir does not exist/],
    [dir, /--render .*softac-replay-\w+: cannot write the replay there: it is a directory/],
    [join(pendulumModel, 'r.html'), /--render .*pendulum\.safetensors\/r\.html: cannot write the replay there: .*not a directory/],
  ];
  for (const [path, re] of cases) {
    const r = softac(['eval', '--model', pendulumModel, '--render', path]);
    assert.is(r.status, 1, path);
    assert.match(r.stderr, re);
    assert.is(r.stdout, '', 'no episode ran');
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('eval --render refuses an env a replay cannot draw, naming it', () => {
  const envFile = join(dir, 'line-env.mjs');
  writeFileSync(envFile, `export default class Line {
  observationSpace = { shape: [3] }; actionSpace = { shape: [1], low: [-2], high: [2] };
  reset() { return [0, 0, 0]; } step() { return { observation: [0, 0, 0], reward: 0, terminated: true, truncated: false }; }
}\n`);
  const r = softac(['eval', '--model', pendulumModel, '--env', envFile, '--render', join(dir, 'line.html')]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /--render: cannot draw the env '.*line-env\.mjs': a replay draws the MuJoCo envs .* got Line/);
  assert.not.ok(existsSync(join(dir, 'line.html')));
});

test.run();
