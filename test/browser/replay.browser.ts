/**
 * Replay pages in real headless Chromium: `softac eval --render` on HalfCheetah (a random-
 * weights model whose actor is scaled up so the cheetah moves), and recordings of Ant,
 * Pendulum and MountainCar. Each frame must draw bodies (counted from the canvas's own
 * pixels), the camera must follow the torso while the world moves past it, the controls
 * must play, pause, seek and change speed, and the page must make no request and log no
 * error. Screenshots are kept for a person to look at (the path is printed).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { Browser, Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { runCliSync } from '../helpers/spawn.js';

import { type Env, makeEnv, MujocoEnv } from '../../src/envs/index.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { replayHtml } from '../../src/replay/html.js';
import { recordEpisode } from '../../src/replay/record.js';
import { SAC } from '../../src/sac/sac.js';
import { launchChromium } from './chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'softac-replay-browser-'));
console.log(`\n  replays and screenshots: ${dir}`);

/**
 * A random-weights agent, its actor scaled by `gain`: at 3 its actions saturate and follow
 * the state, so the robot moves (unscaled, it soon stands still).
 */
function agentFor(env: Env, gain = 3): SAC {
  const sac = new SAC(referenceKernels, env.observationSpace.shape[0], env.actionSpace, { hidden: [16, 16] }, 1);
  const pi = sac.params.slice('pi.').data;
  for (let i = 0; i < pi.length; i++) pi[i] = pi[i]! * gain;
  return sac;
}

/** A recorded episode's page; `steps` of them unless the env ends it first (which the caller checks). */
async function recordedPage(name: string, steps: number, gain = 3): Promise<string> {
  const env = await makeEnv(name);
  const rec = recordEpisode(agentFor(env, gain), env, name, steps, 0);
  if (env instanceof MujocoEnv) env.close();
  const file = join(dir, `${name}.html`);
  writeFileSync(file, replayHtml(rec, 'test/browser/replay.browser.ts'));
  return file;
}

/** What the page exposes as window.__replay (the part the tests read). */
interface ReplayState {
  frame: number;
  frames: number;
  playing: boolean;
  speed: number;
  focus: { name: string; x: number; sx: number; sy: number };
  camera: { x: number; y: number } | null;
  drawn: { name: string; type: string; limb?: number; left: number; right: number; top: number; bottom: number }[];
}

// (Evaluated as strings: the tests compile without the DOM's types.)
const state = (page: Page) => page.evaluate(`(({ frame, frames, playing, speed, focus, camera, drawn }) =>
  ({ frame, frames, playing, speed, focus, camera, drawn }))(window.__replay)`) as Promise<ReplayState>;
const seek = (page: Page, k: number) => page.evaluate(`window.__replay.seek(${k})`);

// Runs in the page: the canvas's pixels, counted. Bodies are drawn in saturated colours, the
// sky, floor and grid in greys; `changed` counts pixels that differ from the last call's.
// They are read from a copy made for reading, so the page's own canvas stays as it is
// (reading it back would make Chromium warn that it should have been made for reading).
const PIXELS = `(() => {
  const view = document.getElementById('view'), c = document.createElement('canvas');
  c.width = view.width; c.height = view.height;
  const cx = c.getContext('2d', { willReadFrequently: true });
  cx.drawImage(view, 0, 0);
  const d = cx.getImageData(0, 0, c.width, c.height).data;
  let body = 0, changed = 0;
  const prev = window.__pixels;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) body++;
    if (prev && (prev[i] !== d[i] || prev[i + 1] !== d[i + 1] || prev[i + 2] !== d[i + 2])) changed++;
  }
  window.__pixels = d;
  return { body, changed, total: d.length / 4 };
})()`;
const pixels = (page: Page) => page.evaluate(PIXELS) as Promise<{ body: number; changed: number; total: number }>;

/** Opens a page, failing the test on any console error, page error or request off the file. */
async function open(browser: Browser, file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 800 } });
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`); });
  await page.goto(pathToFileURL(file).href);
  return { page, problems };
}

const shoot = (page: Page, name: string) => page.screenshot({ path: join(dir, `${name}.png`) });

let browser: Browser;
test.before(async () => {
  browser = await launchChromium();
});
test.after(async () => {
  await browser.close();
});

test('HalfCheetah from softac eval --render: bodies drawn, the camera follows the torso as it moves, the controls work', async () => {
  const model = join(dir, 'cheetah.safetensors'), file = join(dir, 'HalfCheetah-v4-eval.html');
  const env = await makeEnv('HalfCheetah-v4');
  agentFor(env).saveModel(model);
  (env as MujocoEnv).close();
  const r = runCliSync(['eval', '--model', model, '--env', 'HalfCheetah-v4', '--episodes', '1', '--backend', 'js', '--render', file], { timeoutMs: 120_000 });
  assert.is(r.status, 0, r.stderr);
  const { page, problems } = await open(browser, file);

  const first = await state(page);
  assert.is(first.frame, 0);
  assert.is(first.frames, 1001);
  assert.is(first.drawn.length, 8, 'torso, head and six leg segments');
  assert.is(first.focus.name, 'torso');
  const p0 = await pixels(page);
  assert.ok(p0.body > 3000, `frame 0: ${p0.body} body pixels`);
  await shoot(page, 'cheetah-frame-0');
  // Drawn the right way up: the head in front of (right of) the torso, the feet below it, above the floor line.
  const part = (name: string) => first.drawn.find((d) => d.name === name)!;
  assert.ok(part('head').left > part('torso').left, 'the head is forward');
  for (const foot of ['bfoot', 'ffoot']) assert.ok(part(foot).bottom > part('torso').bottom, `${foot} below the torso`);

  await seek(page, 200);
  const later = await state(page), p1 = await pixels(page);
  await shoot(page, 'cheetah-frame-200');
  assert.ok(p1.body > 3000, `frame 200: ${p1.body} body pixels`);
  assert.ok(Math.abs(later.focus.x - first.focus.x) > 0.2, `the torso moved: x ${first.focus.x} -> ${later.focus.x}`);
  assert.is(later.camera!.x, later.focus.x, 'the camera follows the torso');
  assert.is(later.focus.sx, first.focus.sx, 'so the torso stays mid-screen...');
  assert.ok(p1.changed > 5000, `...while the picture changes (${p1.changed} pixels): the grid scrolls, the legs move`);
  assert.is(await page.locator('#view').getAttribute('data-frame'), '200');
  assert.is(Number(await page.locator('#view').getAttribute('data-focus-x')), later.focus.x);
  const cell = (label: string) => page.locator('#readout tr', { has: page.locator(`th:text-is("${label}")`) }).locator('td');
  assert.is(await cell('step').textContent(), '200 of 1000');
  for (const term of ['reward_forward', 'reward_ctrl', 'return so far']) assert.match(await cell(term).textContent() ?? '', /^-?\d+\.\d{3}$/, term);

  // The last frame's return so far is the episode's return that eval printed.
  await page.locator('#time').fill('1000');
  assert.is((await state(page)).frame, 1000);
  assert.match(r.stdout, new RegExp(`episode 1: return ${(await cell('return so far').textContent())!.replace('.', '\\.')}, length 1000`));

  // Play from the start at 4x, then pause.
  await seek(page, 0);
  await page.selectOption('#speed', '4');
  await page.click('#play');
  await page.waitForFunction('window.__replay.frame > 20');
  await page.click('#play');
  const paused = await state(page);
  assert.not.ok(paused.playing);
  assert.is(paused.speed, 4);
  await page.waitForTimeout(200);
  assert.is((await state(page)).frame, paused.frame, 'paused');
  assert.is(await page.locator('#play').textContent(), 'Play');
  assert.equal(problems, [], 'no console error, page error or network request');
  await page.close();
});

test('Ant: an oblique view where the legs show as separate capsules', async () => {
  // At gain 3 the ant flips over within 50 steps; unscaled, it stays up and its legs shift.
  const { page, problems } = await open(browser, await recordedPage('Ant-v4', 300, 1));
  assert.is((await state(page)).frames, 301);
  for (const k of [0, 300]) {
    await seek(page, k);
    const s = await state(page), p = await pixels(page);
    await shoot(page, `ant-frame-${k}`);
    assert.ok(p.body > 3000, `frame ${k}: ${p.body} body pixels`);
    const capsules = s.drawn.filter((d) => d.type === 'capsule');
    assert.is(capsules.length, 12, 'three capsules on each of four legs');
    assert.equal([...new Set(capsules.map((d) => d.limb))].sort(), [1, 2, 3, 4], 'four legs');
    const long = capsules.filter((d) => Math.hypot(d.right - d.left, d.bottom - d.top) > 40);
    assert.ok(long.length >= 8, `frame ${k}: ${long.length} capsules drawn longer than 40 pixels`);
    const centres = new Set(capsules.map((d) => `${Math.round((d.left + d.right) / 10)},${Math.round((d.top + d.bottom) / 10)}`));
    assert.ok(centres.size >= 10, `frame ${k}: the capsules are spread out (${centres.size} distinct centres)`);
  }
  assert.equal(problems, []);
  await page.close();
});

test('Pendulum and MountainCar: the rod turns, the car moves along the hill', async () => {
  for (const [name, steps, later] of [['Pendulum-v1', 200, 20], ['MountainCarContinuous-v0', 300, 150]] as const) {
    const { page, problems } = await open(browser, await recordedPage(name, steps));
    const a = await state(page), pa = await pixels(page);
    await shoot(page, `${name}-frame-0`);
    await seek(page, later);
    const b = await state(page), pb = await pixels(page);
    await shoot(page, `${name}-frame-${later}`);
    assert.ok(pa.body > 500 && pb.body > 500, `${name}: ${pa.body} and ${pb.body} body pixels`);
    assert.ok(Math.hypot(b.focus.sx - a.focus.sx, b.focus.sy - a.focus.sy) > 5, `${name}: the ${a.focus.name} moved on screen`);
    assert.ok(pb.changed > 200, `${name}: the picture changed`);
    assert.equal(problems, []);
    await page.close();
  }
});

test.run();
