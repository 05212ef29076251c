/**
 * The environment pin of a run: what can change results while inputs stay the same — Node version, OS
 * and CPU, the tensor backend with its versions, the installed versions of tfjs and sharp (with libvips),
 * the pinned dvc, and the lockfile's hash. Cheap to collect (small JSON files, no TensorFlow load).
 * `repro run` stores it with the run's record under `.repro/runs/`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { join } from 'node:path';

export interface EnvironmentPin {
  node: string;
  os: string;
  /** `describeBackend` of the backend TensorFlow stages ran on */
  backend: string;
  /** installed versions of the packages whose code produces numbers and pixels */
  packages: Record<string, string>;
  /** `dvc==x.y.z` from requirements.txt */
  dvc: string | null;
  /** sha256 of package-lock.json */
  lockfile: string | null;
}

const PINNED_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-backend-wasm',
  'sharp',
  '@img/sharp-libvips-linux-x64',
  '@img/sharp-libvips-linux-arm64',
  '@img/sharp-libvips-darwin-arm64',
];

/** Collects the pin for the project at `root`. */
export async function collectEnvironmentPin(root: string, backend: string): Promise<EnvironmentPin> {
  const packages: Record<string, string> = {};
  for (const name of PINNED_PACKAGES) {
    try {
      // NOTE: read the folder directly; some packages' `exports` hide their package.json from resolve.
      packages[name] = (JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not installed on this platform
    }
  }
  const requirements = await readFile(join(root, 'requirements.txt'), 'utf8').catch(() => '');
  const lock = await readFile(join(root, 'package-lock.json')).catch(() => undefined);
  return {
    node: process.version,
    os: `${platform()}-${arch()}`,
    backend,
    packages,
    dvc: /^dvc==\S+$/m.exec(requirements)?.[0] ?? null,
    lockfile: lock ? createHash('sha256').update(lock).digest('hex') : null,
  };
}
