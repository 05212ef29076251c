/**
 * Deterministic mode: the settings native TensorFlow reads from the environment when it starts, which
 * make a stage's float results depend on its inputs alone rather than on how work is split across
 * threads or which vendor kernels the CPU gets. `TF_DETERMINISTIC_OPS=1` (ops with a deterministic variant
 * use it), one intra-op and one inter-op thread (every reduction sums in one order), and
 * `TF_ENABLE_ONEDNN_OPTS=0` (Eigen's kernels instead of oneDNN's, which TensorFlow itself warns "may
 * give slightly different numerical results" as they pick code paths per CPU). They must be in the
 * environment before TensorFlow loads: `repro run --deterministic` puts them in the environment DVC runs
 * the stages with, and `repro exec` applies them for a stage compiled with `deterministic: true`. The
 * environment pin records them (env-manifest.ts, `machine`). What it costs is measured in the README.
 */

/** The variables and values deterministic mode sets. */
export const DETERMINISTIC_ENV: Readonly<Record<string, string>> = Object.freeze({
  TF_DETERMINISTIC_OPS: '1',
  TF_NUM_INTRAOP_THREADS: '1',
  TF_NUM_INTEROP_THREADS: '1',
  TF_ENABLE_ONEDNN_OPTS: '0',
});

/** Sets deterministic mode's variables in `env` (the process's by default); returns what was set. */
export function enterDeterministicMode(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  Object.assign(env, DETERMINISTIC_ENV);
  return { ...DETERMINISTIC_ENV };
}

/** True when every deterministic-mode variable holds its value in `env`. */
export function isDeterministic(env: NodeJS.ProcessEnv = process.env): boolean {
  return Object.entries(DETERMINISTIC_ENV).every(([key, value]) => env[key] === value);
}
