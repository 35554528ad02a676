import { cpus } from 'node:os';

/** The CPU model, core count and Node version, as every benchmark table's caption says. */
export function machine(): string {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown CPU'}, ${c.length} cores, Node ${process.version}`;
}
