import { BACKEND_CHOICES } from '../kernels/index.js';
import type { BackendChoice } from '../kernels/index.js';

/** A bad command line: printed with a pointer to the usage, exit code 2 (see main.ts). */
export class UsageError extends Error {}

/** The value of --backend, checked against the backends softac knows (undefined when absent). */
export function backendFlag(raw: string | undefined): BackendChoice | undefined {
  if (raw === undefined) return undefined;
  if (!(BACKEND_CHOICES as readonly string[]).includes(raw)) throw new UsageError(`--backend must be ${BACKEND_CHOICES.slice(0, -1).join(', ')} or ${BACKEND_CHOICES[BACKEND_CHOICES.length - 1]}, got '${raw}'`);
  return raw as BackendChoice;
}
