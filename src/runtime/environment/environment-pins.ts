/**
 * The environment pins of a shared run and their comparison: the run's `EnvironmentPin` (Node, OS/arch,
 * backend, package versions, dvc, lockfile hash — what `repro run` wrote to reports/<experiment>/
 * environment.json) flattened with the versions a collaborator asks about first: npm, tfjs, TensorFlow
 * (from the backend description) and CUDA (the runtime wheel tfjs-node-gpu was built with, null off the
 * GPU backend). `comparePins` names every pin whose value differs.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { collectEnvironmentPin, type EnvironmentPin } from './env-manifest.js';

/** What a shared run pins about the machine that produced it. */
export interface EnvironmentPins {
  /** `process.version`, e.g. `v20.20.2` */
  node: string;
  npm: string | null;
  /** `<platform>-<arch>`, e.g. `linux-x64` */
  os: string;
  /** the backend as `describeBackend` puts it */
  backend: string;
  /** the installed @tensorflow/tfjs-core */
  tfjs: string | null;
  /** native TensorFlow's version when the backend is native */
  tensorflow: string | null;
  /** the CUDA runtime's version on the GPU backend */
  cuda: string | null;
  /** `dvc==x.y.z` */
  dvc: string | null;
  /** sha256 of package-lock.json */
  lockfile: string | null;
  /** installed versions of the packages that produce numbers and pixels */
  packages: Record<string, string>;
}

/** One pin that differs. */
export interface PinMismatch {
  /** `backend`, `node`, `packages.sharp`, … */
  readonly pin: string;
  readonly expected: string | null;
  readonly found: string | null;
}

/** The pins of this machine for the project at `root`, with `backend` as `describeBackend` gives it. */
export async function collectPins(root: string, backend: string): Promise<EnvironmentPins> {
  return pinsFromEnvironment(root, await collectEnvironmentPin(root, backend));
}

/** Flattens a recorded `EnvironmentPin`; npm and CUDA come from this machine (the pin file lacks them). */
export async function pinsFromEnvironment(root: string, pin: EnvironmentPin): Promise<EnvironmentPins> {
  const kind = pin.backend.split(' ')[0];
  return {
    node: pin.node,
    npm: await npmVersion(),
    os: pin.os,
    backend: pin.backend,
    tfjs: pin.packages['@tensorflow/tfjs-core'] ?? null,
    tensorflow: /TensorFlow ([^,)\s]+)/.exec(pin.backend)?.[1] ?? null,
    cuda: kind === 'tensorflow-gpu' ? await cudaVersion(root) : null,
    dvc: pin.dvc,
    lockfile: pin.lockfile,
    packages: { ...pin.packages },
  };
}

/** Every pin whose value in `found` differs from `expected`, in a stable order. */
export function comparePins(expected: EnvironmentPins, found: EnvironmentPins): PinMismatch[] {
  const mismatches: PinMismatch[] = [];
  for (const key of ['backend', 'tensorflow', 'cuda', 'tfjs', 'node', 'npm', 'os', 'dvc', 'lockfile'] as const) {
    if (expected[key] !== found[key]) mismatches.push({ pin: key, expected: expected[key], found: found[key] });
  }
  const names = [...new Set([...Object.keys(expected.packages), ...Object.keys(found.packages)])].sort();
  for (const name of names) {
    const [want, have] = [expected.packages[name] ?? null, found.packages[name] ?? null];
    if (want !== have) mismatches.push({ pin: `packages.${name}`, expected: want, found: have });
  }
  return mismatches;
}

/** npm's version: the copy installed beside this Node, else `npm --version`. */
async function npmVersion(): Promise<string | null> {
  const prefix = dirname(dirname(process.execPath));
  for (const file of [join(prefix, 'lib', 'node_modules', 'npm', 'package.json'), join(dirname(process.execPath), 'node_modules', 'npm', 'package.json')]) {
    if (!existsSync(file)) continue;
    try {
      return (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version;
    } catch {
      // unreadable: ask npm below
    }
  }
  const asked = await execa('npm', ['--version'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  return asked.exitCode === 0 ? String(asked.stdout).trim() : null;
}

/** The CUDA runtime wheel scripts/install-native-tf.mjs built tfjs-node-gpu with, e.g. `12.5.82`. */
async function cudaVersion(root: string): Promise<string | null> {
  const stamp = join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu', 'deps', '.repro-native-tf.json');
  try {
    const wheels = (JSON.parse(await readFile(stamp, 'utf8')) as { cuda?: string[] }).cuda ?? [];
    for (const wheel of wheels) {
      const match = /^nvidia_cuda_runtime_cu\d+-([^-]+)-/.exec(wheel);
      if (match) return match[1]!;
    }
  } catch {
    // not built with the GPU recipe
  }
  return null;
}
