/**
 * A finished, stopped or failed trainInWorker never keeps its host alive: a host that trains
 * in a worker and returns without process.exit (test/fixtures/worker-exit.ts) exits on its
 * own, with nothing but its own timers left holding its event loop once the run is over.
 */
import { fileURLToPath } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { run } from '../helpers/spawn.js';

const host = fileURLToPath(new URL('../fixtures/worker-exit.js', import.meta.url));

async function exitsAlone(mode: string): Promise<string> {
  const r = await run(process.execPath, [host, mode], { timeoutMs: 60_000 });
  assert.is(r.status, 0, r.stderr);
  const { outcome, resources } = JSON.parse(r.stdout) as { outcome: string; resources: string[] };
  assert.equal(resources, [], `${mode}: still holding the event loop after the run: ${resources.join(', ')}`);
  return outcome;
}

test('a host that awaits run.done exits on its own', async () => {
  assert.is(await exitsAlone('done'), 'done at step 120');
});

test('a host that stops the run at once exits on its own', async () => {
  assert.is(await exitsAlone('stop'), 'stopped: true');
});

test('a host whose worker refuses the env, or whose env throws mid-run, exits on its own', async () => {
  assert.match(await exitsAlone('bad-env'), /^refused: .*unknown environment 'CartPole-v1'/);
  assert.match(await exitsAlone('env-throws'), /^failed: .*step 40: step\(\) threw: the simulator fell over/);
});

test.run();
