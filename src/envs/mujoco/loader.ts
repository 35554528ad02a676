/**
 * MuJoCo's official WebAssembly build (the npm package `mujoco`, published by Google
 * DeepMind from google-deepmind/mujoco/wasm), loaded on first use and cached. Only a
 * MuJoCo env needs it, so nothing else in softac pays its start-up (about half a second)
 * or its 8 MB of wasm. The module loads asynchronously; once loaded, envs construct
 * synchronously (the Trainer's makeEnv() is synchronous).
 */
import type { MainModule, MjModel } from 'mujoco';

export type Mujoco = MainModule;

/** The command that installs the package, in every error that says it is missing. */
const INSTALL_COMMAND = 'npm install mujoco';

let loading: Promise<Mujoco> | null = null;
let loaded: Mujoco | null = null;

/**
 * What the module printed lately. MuJoCo reports warnings (and, in some builds, a failed
 * load) by printing; the lines go to stderr, so softac's stdout stays its own, and the
 * last few are kept for an error message.
 */
const printed: string[] = [];

function print(text: string): void {
  const line = text.trimEnd();
  printed.push(line);
  if (printed.length > 20) printed.shift();
  process.stderr.write(`${line}\n`);
}

/** Loads the MuJoCo module once; every later call returns the same one (a failed load is tried again). */
export function loadMujoco(): Promise<Mujoco> {
  loading ??= (async () => {
    let factory: (options?: unknown) => Promise<Mujoco>;
    try {
      factory = (await import('mujoco')).default;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const missing = err?.code === 'ERR_MODULE_NOT_FOUND' && /'mujoco'/.test(err.message);
      throw new Error(missing
        ? `the MuJoCo environments need the package 'mujoco' (MuJoCo's official WebAssembly build), which is not installed; install it with: ${INSTALL_COMMAND}`
        : `the package 'mujoco' could not be loaded (${err?.message ?? String(e)}); reinstall it with: ${INSTALL_COMMAND}`, { cause: e });
    }
    loaded = await factory({ print, printErr: print });
    return loaded;
  })().catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

/** The loaded module, for code that runs after loadMujoco() (an env's constructor). */
export function loadedMujoco(who: string): Mujoco {
  if (!loaded) throw new Error(`${who}: MuJoCo is not loaded yet; await loadMujoco() (or make the env with await makeEnv(name)) before constructing a MuJoCo env`);
  return loaded;
}

let files = 0;

/**
 * Compiles MJCF text with mj_loadXML through the module's in-memory file system. A model
 * MuJoCo refuses is an Error carrying MuJoCo's own message and `source` (the file it came
 * from, or the env's name for a string).
 */
export function compileMjcf(mj: Mujoco, xml: string, source: string): MjModel {
  const path = `/softac-model-${files++}.xml`;
  mj.FS.writeFile(path, xml);
  printed.length = 0;
  let model: MjModel | null;
  try {
    model = mj.MjModel.mj_loadXML(path);
  } catch (e) {
    const message = ((e as Error)?.message ?? String(e)).replace(/^MuJoCo Error: /, '').trim();
    throw new Error(`MuJoCo could not load the model ${source}: ${message}`, { cause: e });
  } finally {
    mj.FS.unlink(path);
  }
  // Some builds print the error and return null instead of throwing.
  if (!model) throw new Error(`MuJoCo could not load the model ${source}: ${printed.join(' ').trim() || 'no message'}`);
  return model;
}
