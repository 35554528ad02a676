/**
 * `benchEnvs` produces a row per MuJoCo env, its raw loop replaying the env's trajectory
 * exactly (it throws otherwise), and its table. Tiny settings: this checks the rows, not speed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { benchEnvs, envsTableHeader, envsTableRow, type EnvsBenchRow } from '../../bench/envs.js';

test('bench envs: a row per MuJoCo env with positive rates, through onRow and returned; its table lines', async () => {
  const seen: EnvsBenchRow[] = [];
  const rows = await benchEnvs({ seconds: 0.02, onRow: (r) => seen.push(r) });
  assert.equal(rows.map((r) => r.env), ['HalfCheetah-v4', 'Hopper-v4', 'Walker2d-v4', 'Ant-v4']);
  assert.equal(seen, rows);
  for (const r of rows) {
    assert.ok(r.steps_per_s > 0 && r.raw_steps_per_s > 0 && Number.isFinite(r.overhead), JSON.stringify(r));
    assert.match(envsTableRow(r), new RegExp(`^\\| ${r.env} +\\| +\\d+ \\| +\\d+ \\| +-?\\d+\\.\\d% \\|$`));
  }
  assert.is(envsTableRow(rows[0]!).length, envsTableHeader.split('\n')[0]!.length);
  await benchEnvs({ seconds: 0 }).then(() => assert.unreachable('ran'), (e: Error) => assert.match(e.message, /benchEnvs: 'seconds' must be a positive number, got 0/));
});

test.run();
