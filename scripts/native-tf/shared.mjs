// Pins, command-line options, logging and process helpers, where a tfjs-node package keeps its binding, and the
// stamp that says which recipe built its deps/:
// what every step of scripts/install-native-tf.mjs shares. Only Node builtins are used.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// ---- pins -------------------------------------------------------------------------------------------------
export const TF_VERSION = '2.21.0'; // PyPI wheel whose C library the binding is built against (MODEL.md §3.1)
// `layout` versions what a flow puts in deps/: a stamp with another layout means deps/ was built by an older
// recipe and is rebuilt (GPU 2: CUDA libraries the framework library cannot reach are linked where it looks)
export const CPU = { flow: 'CPU', pkg: '@tensorflow/tfjs-node', wheel: 'tensorflow-cpu', wheelFile: 'tensorflow_cpu', layout: 1 };
export const GPU = { flow: 'GPU', pkg: '@tensorflow/tfjs-node-gpu', wheel: 'tensorflow', wheelFile: 'tensorflow', layout: 2 };
export const TF_LIBS = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];
export const STAMP_FILE = '.repro-native-tf.json';

// ---- setup ------------------------------------------------------------------------------------------------
export const t0 = Date.now();
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const args = new Set(process.argv.slice(2));
export const FORCE = args.has('--force');
export const VERBOSE = args.has('--verbose') || !!process.env.REPRO_TF_VERBOSE;
export const STRICT = args.has('--strict') || process.env.REPRO_TF_STRICT === '1';
export const RETRY = 'node scripts/install-native-tf.mjs --force --verbose';
/** The GPU flow runs only where `nvidia-smi` lists a GPU, so its retry forces it (works on a CPU-only machine too). */
export const GPU_RETRY = 'node scripts/install-native-tf.mjs --gpu --force --verbose';
export const TF_ENV = { TF_ENABLE_ONEDNN_OPTS: '0', TF_CPP_MIN_LOG_LEVEL: '2' };

export const log = (msg) => console.log(`[native-tf] ${msg}`);
export const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

export class StepError extends Error {
  constructor(step, detail) {
    super(`${step}${detail ? `: ${detail}` : ''}`);
    this.step = step;
    this.detail = detail;
  }
}

export function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  return { ok: r.status === 0 && !r.error, status: r.status, out: r.stdout ?? '', err: r.stderr ?? '', error: r.error };
}
export const tail = (s, n = 25) => s.trim().split('\n').slice(-n).join('\n');
export const exists = (p) => fs.existsSync(p);

export function childEnv(extra = {}) {
  const env = { ...process.env, ...TF_ENV, ...extra };
  delete env.LD_LIBRARY_PATH; // the binding must find deps/lib via its RUNPATH alone
  return env;
}

// ---- package / binding paths ------------------------------------------------------------------------------
export function packageDir(pkg) {
  const dir = path.join(ROOT, 'node_modules', ...pkg.split('/'));
  return exists(path.join(dir, 'package.json')) ? dir : null;
}

/** Same choice as @mapbox/node-pre-gyp's find(): highest napi_versions entry the running Node supports. */
export function bindingPath(pkgDir) {
  const pj = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const napi = Number(process.versions.napi);
  const best = Math.max(...(pj.binary?.napi_versions ?? [napi]).filter((v) => v <= napi));
  const rel = pj.binary.module_path.replace('{napi_build_version}', String(best));
  return path.join(pkgDir, rel, `${pj.binary.module_name}.node`);
}

/** The stamp writeStamp left in deps/ (null when absent or unreadable). */
export function readStamp(pkgDir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(pkgDir, 'deps', STAMP_FILE), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Why deps/ must be rebuilt for `flow` (pinned TensorFlow, layout), or null when its stamp matches. N-API is left
 * out: the binding is built for an N-API version (napi-v8), which newer Nodes keep loading.
 */
export function staleReason(pkgDir, flow) {
  const stamp = readStamp(pkgDir);
  if (!stamp) return `no ${STAMP_FILE} in deps/`;
  if (stamp.tensorflow !== TF_VERSION) return `built against TensorFlow ${stamp.tensorflow}, pinned ${TF_VERSION}`;
  if ((stamp.layout ?? 1) !== flow.layout) return `deps/ layout ${stamp.layout ?? 1}, this recipe writes layout ${flow.layout}`;
  return null;
}

export function bindingLoads(binding) {
  const r = run(process.execPath, ['-e', `require(${JSON.stringify(binding)})`], { env: childEnv({ TF_CPP_MIN_LOG_LEVEL: '3' }), timeout: 60_000 });
  return r.ok;
}

