/**
 * A real redis-server for the queue tests, on a free localhost port in a temporary directory,
 * started and stopped by the test (never a system service), bounded like every child
 * process (spawn.ts). Where redis-server is not installed the queue tests fail under CI
 * (CI=true; .ci/run installs it) and are skipped, with a loud line, elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { start, type Started } from './spawn.js';

/** The path of redis-server, or null. */
export function findRedis(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/**
 * True when the queue tests can run; false (after a loud line) when they are skipped.
 * Under CI a missing redis-server is an error.
 */
export function redisOrSkip(what: string): boolean {
  if (findRedis()) return true;
  const why = `redis-server is not installed (Debian: apt-get install redis-server); ${what} needs a real Redis`;
  if (process.env.CI === 'true') throw new Error(`${why}. .ci/run installs it.`);
  console.warn(`\n*** SKIPPED: ${why}. ***\n`);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Redis {
  port: number;
  /** redis://[:password@]127.0.0.1:port/db */
  url(db?: number): string;
  /** Stops the server (SIGTERM: with persistence it writes its data first) and waits for it. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory (its data back when persistent). */
  restart(): Promise<void>;
}

/** redis-server on a free port; `persist` keeps its data (append-only file, fsync always) across a restart. */
export async function startRedis(o: { password?: string; persist?: boolean; timeoutMs?: number } = {}): Promise<Redis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'softac-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    ...(o.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(o.password ? ['--requirepass', o.password] : [])];
  let server: Started | null = null;
  const up = async () => {
    server = start(findRedis()!, args, { timeoutMs: o.timeoutMs ?? 180_000 });
    const t0 = Date.now();
    while (!server.output().includes('Ready to accept connections')) {
      if (server.child.exitCode !== null) throw new Error(`redis-server exited: ${server.output()}`);
      if (Date.now() - t0 > 10_000) throw new Error(`redis-server did not start in 10 s: ${server.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await up();
  return {
    port,
    url: (db = 0) => `redis://${o.password ? `:${o.password}@` : ''}127.0.0.1:${port}/${db}`,
    stop: async () => {
      if (!server || server.child.exitCode !== null) return;
      server.child.kill('SIGTERM');
      await server.done;
    },
    restart: up,
  };
}
