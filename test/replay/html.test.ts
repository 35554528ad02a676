/**
 * The replay page as text: self-contained (nothing to fetch), its embedded frames decode to
 * the recording's bits, names from a model cannot break out of the page, and a 1000-step
 * Ant replay stays well under a megabyte. (test/browser/replay.browser.ts opens it.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { makeEnv, type MujocoEnv } from '../../src/envs/index.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { replayHtml } from '../../src/replay/html.js';
import { type MujocoScene, type Recording, recordEpisode } from '../../src/replay/record.js';
import { SAC } from '../../src/sac/sac.js';

const dataOf = (html: string) => JSON.parse(/<script type="application\/json" id="replay-data">(.*?)<\/script>/s.exec(html)![1]!);
const decoded = (b64: string) => Buffer.from(b64, 'base64');
const bytes = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function antRecording(steps: number): Promise<Recording> {
  const env = (await makeEnv('Ant-v4')) as MujocoEnv;
  const rec = recordEpisode(new SAC(referenceKernels, 27, env.actionSpace, { hidden: [16, 16] }, 0), env, 'Ant-v4', steps, 0);
  env.close();
  return rec;
}

test('the page is self-contained and carries the recording to the bit', async () => {
  const rec = await antRecording(50), html = replayHtml(rec, 'model m.safetensors');
  assert.not.match(html, /https?:\/\//, 'no URL');
  assert.not.match(html, /<(link|img|iframe)\b|\bsrc=/, 'nothing loaded from elsewhere');
  assert.match(html, /<canvas id="view"/);
  assert.match(html, /model m\.safetensors\. A deterministic episode/);
  const d = dataOf(html), s = rec.scene as MujocoScene;
  assert.is(d.steps, rec.steps);
  assert.is(d.ret, rec.ret);
  assert.ok(decoded(d.rewards).equals(bytes(rec.rewards)), 'rewards');
  assert.ok(decoded(d.info.reward_survive).equals(bytes(rec.info.reward_survive!)), 'an info term');
  assert.ok(decoded(d.scene.poses).equals(bytes(s.poses)), 'poses');
  assert.ok(decoded(d.scene.rootPos).equals(bytes(s.rootPos)), 'torso positions');
  assert.equal(d.scene.geoms, s.geoms);
  assert.is(d.scene.view, 'oblique');
});

test('names cannot close the script or inject markup', () => {
  const rec: Recording = {
    env: '</script><b>x</b>', seed: 0, fps: 20, realTime: true, steps: 1, ret: -1, terminated: false, rewards: Float64Array.of(-1),
    info: { '</script>': Float64Array.of(1) }, scene: { kind: 'pendulum', angle: Float32Array.of(0, 0.1) },
  };
  const html = replayHtml(rec, 'a <caption> & "quotes"');
  assert.is(html.match(/<\/script>/g)!.length, 2, 'only the page\'s own two scripts close');
  assert.not.match(html, /<b>x<\/b>|<caption>/);
  assert.is(dataOf(html).env, '</script><b>x</b>');
});

test('a 1000-step Ant replay is under a megabyte', async () => {
  const rec = await antRecording(1000), size = Buffer.byteLength(replayHtml(rec, 'size'));
  assert.is(rec.steps, 1000);
  assert.ok(size < 1_000_000, `${size} bytes`);
});

test.run();
