/**
 * Training that fails or is killed never loses the last good checkpoint: a faulty env stops
 * the run with a message naming the step, and SIGKILL at random moments while checkpoints
 * are being written always leaves one that loads and resumes.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Pendulum } from '../../src/envs/index.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { referenceKernels, tryLoadNative } from '../../src/kernels/index.js';
import { Rng } from '../../src/nn/rng.js';
import { Trainer } from '../../src/train/loop.js';
import { runCli, runCliSync as softac } from '../helpers/spawn.js';

const k = tryLoadNative() ?? referenceKernels;
const small = ['--steps-per-epoch', '100', '--start-steps', '50', '--update-after', '50', '--update-every', '25',
  '--batch-size', '16', '--hidden', '16,16', '--num-test-episodes', '0'];

function faultyEnv(dir: string, fault: string): string {
  const path = join(dir, `faulty-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(path, `export default class Faulty {
  observationSpace = { shape: [1] };
  actionSpace = { shape: [1], low: [-1], high: [1] };
  x = 0; n = 0;
  reset() { this.x = 0; return [0]; }
  step(a) { this.n++; this.x = 0.9 * this.x + a[0]; ${fault}
    return { observation: [this.x], reward: -this.x * this.x, terminated: false, truncated: false }; }
}\n`);
  return path;
}

test('an env that returns NaN or throws stops training with the step named; the last epoch\'s checkpoint stays and loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-faulty-'));
  for (const [fault, message] of [
    ["if (this.n === 150) return { observation: [this.x], reward: NaN, terminated: false, truncated: false };", /step 150: reward is NaN, not a finite number/],
    ["if (this.n === 130) throw new Error('the simulator lost its connection');", /step 130: step\(\) threw: the simulator lost its connection/],
  ] as const) {
    const out = join(dir, `run-${Math.random().toString(36).slice(2)}`);
    const r = softac(['train', '--env', faultyEnv(dir, fault), '--epochs', '3', ...small, '--out', out]);
    assert.is(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /\n\s+at /);
    const ckpt = loadCheckpoint(join(out, 'checkpoint.safetensors'));
    assert.is(ckpt.state.t, 100);
    assert.ok(existsSync(join(out, 'model.safetensors')));
  }
});

test('SIGKILL at random moments while checkpoints are written: every time, the checkpoint on disk loads and resumes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-kill-'));
  const out = join(dir, 'run');
  // Epochs of 20 steps: a checkpoint (and model, progress, curve) is rewritten every few ms.
  const args = ['train', '--epochs', '100000', '--steps-per-epoch', '20', '--start-steps', '30', '--update-after', '30',
    '--update-every', '10', '--batch-size', '8', '--hidden', '8,8', '--num-test-episodes', '0', '--out', out];
  const rng = new Rng(2024);
  let resumedFrom = -1, kills = 0;
  for (let round = 0; round < 10; round++) {
    let seen = '', armed = false;
    // Wait for the first epoch of this process, then kill at a random moment after it.
    await runCli(round === 0 ? args : ['train', '--resume', out], {
      onStdout: (d, child) => {
        seen += d;
        if (armed || !seen.includes('TotalEnvInteracts')) return;
        armed = true;
        // Once a checkpoint exists too (the very first one is written just after the
        // epoch's table is printed).
        const poll = setInterval(() => {
          if (!existsSync(join(out, 'checkpoint.safetensors'))) return;
          clearInterval(poll);
          setTimeout(() => { child.kill('SIGKILL'); kills++; }, rng.int(150));
        }, 5);
        child.on('close', () => clearInterval(poll));
      },
    });
    const ckpt = loadCheckpoint(join(out, 'checkpoint.safetensors'));
    const t = ckpt.state.t as number;
    assert.ok(t >= resumedFrom, `round ${round}: the checkpoint went back from ${resumedFrom} to ${t}`);
    assert.is(t % 20, 0);
    // It resumes in-process too, and steps on.
    const tr = Trainer.restore({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1' }, ckpt);
    for (let i = 0; i < 25; i++) tr.step();
    assert.is(tr.t, t + 25);
    resumedFrom = t;
  }
  assert.is(kills, 10);
  assert.ok(resumedFrom >= 200, `after 10 rounds the run only got to step ${resumedFrom}`);
  // A resume sweeps up the temporary files the kills left behind.
  const r = softac(['train', '--resume', out, '--epochs', String(resumedFrom / 20 + 1)]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(readdirSync(out).filter((f) => f.endsWith('.tmp')), []);
});

test.run();
