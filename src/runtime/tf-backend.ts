/**
 * Which tensor backend stages get, decided in one place: an explicit override (flag), else the
 * `REPRO_BACKEND` environment variable, else auto — native TensorFlow on a CUDA GPU, native TensorFlow on
 * CPU, wasm, pure JS — by what is installed. Detection is cheap (file checks, no TensorFlow load), so
 * fingerprints can record the backend without paying for it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ReproError } from '../errors.js';

export const BACKEND_KINDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

const require = createRequire(import.meta.url);

/** The backend to use: override > REPRO_BACKEND > what is installed. */
export function detectBackendKind(options: { override?: string | undefined } = {}): BackendKind {
  const requested = options.override ?? process.env.REPRO_BACKEND;
  if (requested !== undefined && requested !== '' && requested !== 'auto') {
    if (!(BACKEND_KINDS as readonly string[]).includes(requested)) {
      throw new ReproError('USAGE', `backend '${requested}' expected one of ${BACKEND_KINDS.map((k) => `'${k}'`).join(', ')} or 'auto'`, {
        hint: 'unset REPRO_BACKEND, or pass --backend tensorflow',
      });
    }
    return requested as BackendKind;
  }
  if (hasNativeBinding('@tensorflow/tfjs-node-gpu') && hasCudaDevice()) return 'tensorflow-gpu';
  if (hasNativeBinding('@tensorflow/tfjs-node')) return 'tensorflow';
  if (isResolvable('@tensorflow/tfjs-backend-wasm')) return 'wasm';
  return 'cpu';
}

function hasCudaDevice(): boolean {
  return existsSync('/dev/nvidia0') || existsSync('/proc/driver/nvidia/gpus');
}

function isResolvable(name: string): boolean {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** True when the package is installed and its compiled binding file exists. */
function hasNativeBinding(name: string): boolean {
  try {
    const root = dirname(require.resolve(`${name}/package.json`));
    return ['lib/napi-v8/tfjs_binding.node', 'lib/napi-v9/tfjs_binding.node'].some((p) => existsSync(join(root, p)));
  } catch {
    return false;
  }
}
