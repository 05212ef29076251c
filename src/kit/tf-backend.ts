/**
 * Which tensor backend stages get, decided in one place, and the one way to load it. `detectBackendKind`
 * picks an explicit override (flag), else the `REPRO_BACKEND` environment variable, else auto by what is
 * installed: native TensorFlow on a CUDA GPU (tfjs-node-gpu binding built and an NVIDIA device present),
 * native TensorFlow on CPU (tfjs-node binding built by scripts/install-native-tf.mjs), wasm, pure JS.
 * Detection is cheap (a few file checks, no TensorFlow load), so fingerprints can record the backend without
 * paying for it. `loadTensorflow` loads the package for a kind, sets the backend and asserts that it is the
 * one active, because a failed `setBackend` can silently leave `cpu` running; for native TensorFlow it sets
 * TF_ENABLE_ONEDNN_OPTS=1 (oneDNN convolutions: the full training step takes 0.8× the CPU time of Eigen's; an
 * early SIGFPE in face detection with oneDNN did not recur on TensorFlow 2.21, see README) and
 * TF_CPP_MIN_LOG_LEVEL=2 first, unless the caller already set them. oneDNN changes float rounding, so
 * `describeBackend` records whether it is on, and the thread counts: `threadSwitchesFor` sizes a stage's pools
 * from its declared cores. One native package per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ReproError } from '../errors.js';

export const BACKEND_KINDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** The TensorFlow.js namespace; tfjs-node and tfjs-node-gpu re-export it with the native backend added. */
export type Tf = typeof import('@tensorflow/tfjs');

const require = createRequire(import.meta.url);

const NATIVE_PACKAGE = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' } as const;
const NATIVE_ENV = { TF_ENABLE_ONEDNN_OPTS: '1', TF_CPP_MIN_LOG_LEVEL: '2' } as const;
/** The environment variables native TensorFlow sizes its two thread pools from when it starts. */
const THREAD_ENV = ['TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS'] as const;
const INSTALL_HINT = 'run `node scripts/install-native-tf.mjs --force --verbose`, or pass --backend wasm';
const GPU_INSTALL_HINT = 'run `node scripts/install-native-tf.mjs --gpu --force --verbose`, or pass --backend tensorflow';
const installHint = (kind: BackendKind) => (kind === 'tensorflow-gpu' ? GPU_INSTALL_HINT : INSTALL_HINT);

/** The backend to use: override > REPRO_BACKEND > what is installed. */
export function detectBackendKind(options: { override?: string | undefined } = {}): BackendKind {
  const requested = options.override ?? process.env.REPRO_BACKEND;
  if (requested !== undefined && requested !== '' && requested !== 'auto') {
    if (!(BACKEND_KINDS as readonly string[]).includes(requested)) {
      const from = options.override !== undefined ? '--backend' : 'REPRO_BACKEND';
      throw new ReproError('USAGE', `${from} expected one of ${BACKEND_KINDS.map((k) => `'${k}'`).join(', ')} or 'auto', received '${requested}'`, {
        hint: from === '--backend' ? 'pass --backend auto (what this machine has), or one of the kinds above' : 'unset REPRO_BACKEND (or set it to one of the kinds above), or pass --backend auto',
      });
    }
    return requested as BackendKind;
  }
  if (nativeBindingPath(NATIVE_PACKAGE['tensorflow-gpu']) !== undefined && hasCudaDevice()) return 'tensorflow-gpu';
  if (nativeBindingPath(NATIVE_PACKAGE.tensorflow) !== undefined) return 'tensorflow';
  if (isResolvable('@tensorflow/tfjs-backend-wasm')) return 'wasm';
  return 'cpu';
}

/**
 * Loads TensorFlow.js for `kind`, makes that backend active and checks it is: `getBackend()` is the one asked
 * for ('tensorflow' for both native kinds), and for 'tensorflow-gpu' TensorFlow really placed ops on a GPU.
 */
export async function loadTensorflow(kind: BackendKind = detectBackendKind()): Promise<Tf> {
  switch (kind) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return loadNative(kind);
    case 'wasm': {
      const tf = load<Tf>('@tensorflow/tfjs', kind);
      load<unknown>('@tensorflow/tfjs-backend-wasm', kind); // registers the 'wasm' backend with the same tfjs-core
      return activate(tf, kind, 'wasm');
    }
    case 'cpu':
      return activate(load<Tf>('@tensorflow/tfjs', kind), kind, 'cpu');
  }
}

let loadedNative: string | undefined;

async function loadNative(kind: 'tensorflow-gpu' | 'tensorflow'): Promise<Tf> {
  const pkg = NATIVE_PACKAGE[kind];
  if (loadedNative !== undefined && loadedNative !== pkg) {
    throw unavailable(kind, `one native package per process, found ${loadedNative} already loaded`, 'run the stage in its own process');
  }
  if (nativeBindingPath(pkg) === undefined) {
    throw unavailable(kind, `the compiled binding of ${pkg}, found none`, installHint(kind));
  }
  for (const [name, value] of Object.entries(NATIVE_ENV)) process.env[name] ??= value;
  const tf = load<Tf>(pkg, kind);
  loadedNative = pkg;
  await activate(tf, kind, 'tensorflow');
  if (kind === 'tensorflow-gpu' && (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice !== true) {
    throw unavailable(kind, 'TensorFlow to use a GPU device, it found none', 'check `nvidia-smi`, or pass --backend tensorflow');
  }
  return tf;
}

async function activate(tf: Tf, kind: BackendKind, name: string): Promise<Tf> {
  let set = false;
  try {
    set = await tf.setBackend(name);
    await tf.ready();
  } catch (error) {
    throw unavailable(kind, `setBackend('${name}') to succeed, it threw`, installHint(kind), error);
  }
  const active = tf.getBackend();
  if (!set || active !== name) {
    throw unavailable(kind, `active backend '${name}', found '${String(active)}' (setBackend returned ${set})`, installHint(kind));
  }
  return tf;
}

function load<T>(pkg: string, kind: BackendKind): T {
  try {
    return require(pkg) as T;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
    throw unavailable(kind, `${pkg} to load, it failed: ${reason}`, kind === 'cpu' || kind === 'wasm' ? 'run `npm install`' : installHint(kind), error);
  }
}

function unavailable(kind: BackendKind, expectedReceived: string, hint: string, cause?: unknown): ReproError {
  return new ReproError('BACKEND_UNAVAILABLE', `backend '${kind}' expected ${expectedReceived}`, { hint, cause });
}

function hasCudaDevice(): boolean {
  if (existsSync('/dev/nvidia0') || existsSync('/proc/driver/nvidia/gpus')) return true;
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'nvidia-smi')));
}

function isResolvable(name: string): boolean {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Path of the package's compiled binding when it exists: the file @mapbox/node-pre-gyp's `find()` loads,
 * `binary.module_path` with the highest `napi_versions` entry this Node supports (napi-v8 on Node 20).
 */
function nativeBindingPath(pkg: string): string | undefined {
  let root: string;
  try {
    root = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
  const binary = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { binary?: { module_name?: string; module_path?: string; napi_versions?: number[] } }).binary;
  const napi = Number(process.versions.napi);
  const best = Math.max(...(binary?.napi_versions ?? [8]).filter((v) => v <= napi));
  const file = join(root, (binary?.module_path ?? './lib/napi-v{napi_build_version}').replace('{napi_build_version}', String(best)), `${binary?.module_name ?? 'tfjs_binding'}.node`);
  return existsSync(file) ? file : undefined;
}

/**
 * The backend as recorded in fingerprints and run pins: its kind plus the versions and switches that decide
 * its numbers, e.g. `tensorflow (tfjs-node 4.22.0, TensorFlow 2.21.0, oneDNN)`. Cheap: reads two small JSON
 * files. A result computed on another backend, or another build or setting of it, is another result.
 */
export function describeBackend(kind: BackendKind, env: NodeJS.ProcessEnv = process.env): string {
  const pkg = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node', wasm: '@tensorflow/tfjs-backend-wasm', cpu: '@tensorflow/tfjs' }[kind];
  const parts: string[] = [];
  try {
    const root = dirname(require.resolve(`${pkg}/package.json`));
    parts.push(`${pkg.replace('@tensorflow/', '')} ${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}`);
    if (kind === 'tensorflow' || kind === 'tensorflow-gpu') {
      const stamp = JSON.parse(readFileSync(join(root, 'deps', '.repro-native-tf.json'), 'utf8')) as { tensorflow?: string };
      if (stamp.tensorflow) parts.push(`TensorFlow ${stamp.tensorflow}`);
    }
    if (kind === 'tensorflow' || kind === 'tensorflow-gpu') {
      if (oneDnnEnabled(env)) parts.push('oneDNN');
      // Deterministic mode's switches (deterministic-mode.ts) change which kernels run and how they sum.
      if (env.TF_DETERMINISTIC_OPS === '1' || env.TF_DETERMINISTIC_OPS === 'true') parts.push('deterministic ops');
      for (const [name, label] of [[THREAD_ENV[0], 'intra-op'], [THREAD_ENV[1], 'inter-op']] as const) {
        if (env[name]) parts.push(`${env[name]} ${label} thread${env[name] === '1' ? '' : 's'}`);
      }
    }
  } catch {
    // not installed, or built by hand without a stamp: the kind alone is what we know
  }
  return parts.length > 0 ? `${kind} (${parts.join(', ')})` : kind;
}

/**
 * The environment switches a `describeBackend` string records, so a stage can be run again under the
 * settings it first ran with: oneDNN on or off, deterministic ops, thread counts. Empty for a backend
 * other than native TensorFlow.
 */
export function switchesOf(description: string): Record<string, string> {
  const kind = description.split(' ')[0];
  if (kind !== 'tensorflow' && kind !== 'tensorflow-gpu') return {};
  const parts = /\((.*)\)$/.exec(description)?.[1]?.split(', ') ?? [];
  const env: Record<string, string> = { TF_ENABLE_ONEDNN_OPTS: parts.includes('oneDNN') ? '1' : '0' };
  if (parts.includes('deterministic ops')) env.TF_DETERMINISTIC_OPS = '1';
  for (const part of parts) {
    const threads = /^(\d+) (intra|inter)-op threads?$/.exec(part);
    if (threads) env[threads[2] === 'intra' ? 'TF_NUM_INTRAOP_THREADS' : 'TF_NUM_INTEROP_THREADS'] = threads[1]!;
  }
  return env;
}

/**
 * The thread counts a TensorFlow stage declaring `cpus` cores runs with: both of TensorFlow's pools sized
 * to its cores where they are fewer than the machine's (a pool per core in each of two stages packed side
 * by side by `repro run -j` makes both slower than one after the other). Empty where the stage may use every
 * core (TensorFlow's own default) and where `env` already sets a count (the user's setting then holds for
 * every stage). The counts decide how reductions are split, so they belong to the backend `describeBackend`
 * records: they follow the declared cores and this machine, never the grant of one run.
 */
export function threadSwitchesFor(cpus: number | 'all', env: NodeJS.ProcessEnv = process.env, machine = availableParallelism()): Record<string, string> {
  if (cpus === 'all' || cpus >= machine || THREAD_ENV.some((name) => env[name])) return {};
  const threads = String(Math.max(1, cpus));
  return Object.fromEntries(THREAD_ENV.map((name) => [name, threads]));
}

/**
 * Sets, in `env`, the thread counts a `describeBackend` string records and `env` does not set yet — what
 * `repro exec` does before TensorFlow loads, so a stage runs with the pools its fingerprint names.
 */
export function applyRecordedThreads(description: string, env: NodeJS.ProcessEnv = process.env): void {
  const switches = switchesOf(description);
  for (const name of THREAD_ENV) if (switches[name] !== undefined && !env[name]) env[name] = switches[name];
}

/** Whether native TensorFlow runs (or will run, once loaded here) with oneDNN's CPU kernels. */
export function oneDnnEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.TF_ENABLE_ONEDNN_OPTS ?? NATIVE_ENV.TF_ENABLE_ONEDNN_OPTS) !== '0';
}

/** The kind at the start of a `describeBackend` string. */
export function backendKindOf(description: string): BackendKind {
  const kind = description.split(' ')[0] ?? '';
  if (!(BACKEND_KINDS as readonly string[]).includes(kind)) {
    throw new ReproError('BACKEND_UNAVAILABLE', `backend '${description}' expected to start with one of ${BACKEND_KINDS.join(', ')}`, { hint: 'run `repro compile --force`' });
  }
  return kind as BackendKind;
}
