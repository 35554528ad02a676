/** The nn layer: flat parameters with state-dict names, Linear, MLP, Adam, the PRNG. */
export { checkStateDict, ParameterSet } from './params.js';
export type { ParamSpec, StateDictOptions } from './params.js';
export { Linear, linearSpecs } from './linear.js';
export { MLP, mlpSpecs } from './mlp.js';
export type { Activation } from './mlp.js';
export { Adam } from './adam.js';
export type { AdamOptions, AdamState } from './adam.js';
export { Rng } from './rng.js';
