/**
 * softac's public API, layer by layer: the kernels (one interface, a TypeScript reference
 * and a native SIMD implementation), the autograd (Tensor, Tape, differentiable ops) and
 * nn (flat parameters with PyTorch's state-dict names, Linear, MLP, Adam, the PRNG).
 */
export { getKernels, loadNative, loadWasm, nativeLoadError, referenceKernels, tryLoadNative, tryLoadWasm, wasmKernels, wasmLoadError } from './kernels/index.js';
export type { Backend, BackendChoice, KernelInfo, Kernels, NativeKernels, SimdPath } from './kernels/index.js';
export * as ag from './autograd/index.js';
export { Tape, Tensor } from './autograd/index.js';
export type { TapeOptions } from './autograd/index.js';
export { Adam, Linear, MLP, mlpSpecs, ParameterSet, Rng } from './nn/index.js';
export type { Activation, AdamOptions, AdamState, ParamSpec } from './nn/index.js';
export { makeBuiltinEnv, MountainCarContinuous, Pendulum } from './envs/index.js';
export { Ant, HalfCheetah, Hopper, loadMujoco, makeEnv, MujocoEnv, Walker2d } from './envs/index.js';
export type { BoxSpace, Env, MujocoEnvOptions, MujocoEnvState, Space, StepResult } from './envs/index.js';
export { ReplayBuffer } from './sac/buffer.js';
export { ACTION_BOUNDS_KEY } from './sac/model.js';
export { Policy } from './sac/policy.js';
export type { ActOptions, PolicyOptions } from './sac/policy.js';
export type { Batch } from './sac/buffer.js';
export { SAC } from './sac/sac.js';
export type { ActionBounds } from './sac/model.js';
export type { UpdateInfo, UpdateNoise } from './sac/sac.js';
export { testAgent, train, Trainer } from './train/loop.js';
export type { TrainCallbacks, TrainResult, TrainSetup } from './train/loop.js';
export { NonFiniteError } from './train/nonfinite.js';
export type { EpochStats } from './train/epoch-logger.js';
export type { TrainerState } from './train/state.js';
export { TrainingRun, trainInWorker } from './train/worker.js';
export type { TrainingRunEvents, TrainSummary, WorkerTrainOptions } from './train/worker.js';
export { loadCheckpoint, saveCheckpoint } from './io/checkpoint.js';
export type { Checkpoint } from './io/checkpoint.js';
export { defaults as sacDefaults } from './sac/options.js';
export type { SacOptions } from './sac/options.js';
export { loadSafetensors, saveSafetensors } from './io/safetensors.js';
export type { DecodeOptions } from './io/safetensors.js';
