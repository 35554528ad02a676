/** The spawn helpers: a process that never exits is killed at the limit and named as hung. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { run, runSync } from './spawn.js';

const forever = ['-e', 'setInterval(() => {}, 1000)'];

test('run kills a process still running at the limit and rejects with its command line and "hung"', async () => {
  const t0 = performance.now();
  const e = await run(process.execPath, forever, { timeoutMs: 300 }).then(() => null, (err: Error) => err);
  assert.ok(e, 'a process that never exits resolved');
  assert.is(e!.message, 'hung: node -e setInterval(() => {}, 1000) was still running after 300 ms and was killed');
  assert.ok(performance.now() - t0 < 10_000);
});

test('runSync does the same for a blocking run', () => {
  assert.throws(() => runSync(process.execPath, forever, { timeoutMs: 300 }), /^hung: node -e setInterval\(\(\) => \{\}, 1000\) was still running after 300 ms/);
});

test('a process that ends gives its status, output and stdin back', async () => {
  const echo = ['-e', 'process.stdin.pipe(process.stdout); process.stdin.on("end", () => { process.exitCode = 3; })'];
  const a = await run(process.execPath, echo, { input: 'over the pipe' });
  assert.equal([a.status, a.stdout], [3, 'over the pipe']);
  const s = runSync(process.execPath, echo, { input: 'and again' });
  assert.equal([s.status, s.stdout], [3, 'and again']);
});

test.run();
