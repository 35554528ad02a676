/**
 * The model file, model.safetensors: the online and target parameters under PyTorch's
 * state-dict names (PyTorch's MLPActorCritic.load_state_dict reads it), with the action
 * bounds in the metadata, since a state dict has none (Spinning Up keeps act_limit outside
 * it). SAC.saveModel writes it; Policy.load reads it.
 */
import { type NamedTensor, saveSafetensors } from '../io/safetensors.js';

/** The action box: actions are scale tanh(u) + shift with scale (high - low) / 2, shift (high + low) / 2. */
export interface ActionBounds {
  low: readonly number[];
  high: readonly number[];
}

/** The metadata key of a model file's action bounds: JSON `{"low": [...], "high": [...]}`. */
export const ACTION_BOUNDS_KEY = 'softac.action_bounds';

/** Writes a state dict as safetensors, atomically, with the action bounds in the metadata. */
export function saveModel(path: string, stateDict: Iterable<[string, NamedTensor]>, bounds: ActionBounds): void {
  saveSafetensors(path, stateDict, { format: 'pt', [ACTION_BOUNDS_KEY]: JSON.stringify({ low: bounds.low, high: bounds.high }) });
}

/** The bounds a model file records, or [-1, 1] per dimension (Spinning Up's act_limit 1). */
export function boundsFromMetadata(metadata: Record<string, string>, actDim: number, fail: (why: string) => never): ActionBounds {
  const text = metadata[ACTION_BOUNDS_KEY];
  if (text === undefined) return { low: new Array<number>(actDim).fill(-1), high: new Array<number>(actDim).fill(1) };
  let b: unknown;
  try {
    b = JSON.parse(text);
  } catch {
    return fail(`the '${ACTION_BOUNDS_KEY}' metadata is not JSON`);
  }
  const ok = (v: unknown): v is number[] => Array.isArray(v) && v.length === actDim && v.every((x) => typeof x === 'number');
  const { low, high } = (b ?? {}) as { low?: unknown; high?: unknown };
  if (!ok(low) || !ok(high)) return fail(`the '${ACTION_BOUNDS_KEY}' metadata must be {"low": [...], "high": [...]} with ${actDim} numbers each`);
  return { low, high };
}
