/**
 * The environment pin of a run — what can change results while inputs stay the same — and the one place
 * that collects and compares it: Node and npm, OS and CPU, the tensor backend with the TensorFlow and CUDA
 * versions behind it, the installed versions of tfjs and sharp (with libvips), the pinned dvc and the
 * lockfile's hash. Cheap to collect (small JSON files, no TensorFlow load). `repro run` writes it to
 * reports/<experiment>/environment.json (environment-file.ts), `repro share` copies it into the manifest,
 * `repro verify` compares it with this machine's, and `repro report` shows it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { arch, availableParallelism, cpus, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export interface EnvironmentPin {
  /** `process.version`, e.g. `v20.20.2` */
  node: string;
  npm: string | null;
  /** `<platform>-<arch>`, e.g. `linux-x64` */
  os: string;
  /** `describeBackend` of the backend TensorFlow stages ran on */
  backend: string;
  /** the installed @tensorflow/tfjs-core */
  tfjs: string | null;
  /** native TensorFlow's version when the backend is native */
  tensorflow: string | null;
  /** the CUDA runtime's version on the GPU backend */
  cuda: string | null;
  /** `dvc==x.y.z` from requirements.txt */
  dvc: string | null;
  /** sha256 of package-lock.json */
  lockfile: string | null;
  /** installed versions of the packages whose code produces numbers and pixels */
  packages: Record<string, string>;
  /**
   * the CPU and threading the float kernels ran with: what makes the same code and inputs give other
   * floats elsewhere. Recorded since `repro verify --recompute`; not a pin plain `verify` fails on (a
   * workspace holds the same bytes whatever CPU reads it), printed next to a recompute's divergence.
   */
  machine?: MachineFacts;
}

/** The CPU and thread settings of a run. */
export interface MachineFacts {
  /** /proc/cpuinfo's model name (or os.cpus()'s) */
  cpu: string;
  /** the SIMD flags float kernels dispatch on, present ones, in a fixed order: `sse4_2 avx avx2 fma …` */
  simd: string;
  /** logical CPUs this process may use */
  cores: number;
  /** TensorFlow's intra-op and inter-op threads as set (`TF_NUM_INTRAOP_THREADS` …), else 'default' */
  intraOpThreads: string;
  interOpThreads: string;
  /** `TF_DETERMINISTIC_OPS` as set, else 'off' (`repro run --deterministic` sets it) */
  deterministicOps: string;
  /** `TF_ENABLE_ONEDNN_OPTS` as set, else 'default' (oneDNN on, on x86) */
  oneDnn: string;
}

/** The instruction-set flags whose presence changes which float kernels oneDNN and Eigen pick. */
const SIMD_FLAGS = ['sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'amx_tile', 'asimd', 'sve'];

/** The fields of the first pins `repro run` wrote, which every recorded pin has. */
export type CorePin = Pick<EnvironmentPin, 'node' | 'os' | 'backend' | 'packages' | 'dvc' | 'lockfile'>;

/** What only a machine can tell about itself: its npm, and the CUDA runtime its tfjs-node-gpu was built with. */
export type MachineVersions = Pick<EnvironmentPin, 'npm' | 'cuda'>;

/** One pin that differs. */
export interface PinMismatch {
  /** `backend`, `node`, `packages.sharp`, … */
  readonly pin: string;
  readonly expected: string | null;
  readonly found: string | null;
}

/** The single-valued pins, in the order `comparePins` reports them (`packages.*` follow). */
export const PIN_FIELDS = ['backend', 'tensorflow', 'cuda', 'tfjs', 'node', 'npm', 'os', 'dvc', 'lockfile'] as const;

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

/** Collects the pin of this machine for the project at `root`, `backend` as `describeBackend` gives it. */
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
  const core: CorePin = {
    node: process.version,
    os: `${platform()}-${arch()}`,
    backend,
    packages,
    dvc: /^dvc==\S+$/m.exec(requirements)?.[0] ?? null,
    lockfile: lock ? createHash('sha256').update(lock).digest('hex') : null,
  };
  return { ...completePin(core, await collectMachineVersions(root)), machine: await collectMachineFacts() };
}

/** This machine's CPU, SIMD flags and the TensorFlow thread settings of this process's environment. */
export async function collectMachineFacts(env: NodeJS.ProcessEnv = process.env): Promise<MachineFacts> {
  const info = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpus()[0]?.model.trim() ?? 'unknown';
  const flags = new Set((/^(?:flags|Features)\s*:\s*(.+)$/m.exec(info)?.[1] ?? '').split(/\s+/));
  return {
    cpu: model,
    simd: SIMD_FLAGS.filter((f) => flags.has(f)).join(' ') || 'unknown',
    cores: availableParallelism(),
    intraOpThreads: env.TF_NUM_INTRAOP_THREADS ?? 'default',
    interOpThreads: env.TF_NUM_INTEROP_THREADS ?? 'default',
    deterministicOps: env.TF_DETERMINISTIC_OPS ?? 'off',
    oneDnn: env.TF_ENABLE_ONEDNN_OPTS ?? 'default',
  };
}

/** How two machines' facts differ, as pin mismatches named `machine.<field>`; none when either is unrecorded. */
export function compareMachineFacts(expected: MachineFacts | undefined, found: MachineFacts | undefined): PinMismatch[] {
  if (!expected || !found) return [];
  return (Object.keys(expected) as (keyof MachineFacts)[])
    .filter((key) => expected[key] !== found[key])
    .map((key) => ({ pin: `machine.${key}`, expected: String(expected[key]), found: String(found[key]) }));
}

/** A whole pin from its core: tfjs and TensorFlow read from it, npm and CUDA (on the GPU backend only) from `machine`. */
export function completePin(core: CorePin, machine: MachineVersions): EnvironmentPin {
  return {
    node: core.node,
    npm: machine.npm,
    os: core.os,
    backend: core.backend,
    tfjs: core.packages['@tensorflow/tfjs-core'] ?? null,
    tensorflow: /TensorFlow ([^,)\s]+)/.exec(core.backend)?.[1] ?? null,
    cuda: core.backend.split(' ')[0] === 'tensorflow-gpu' ? machine.cuda : null,
    dvc: core.dvc,
    lockfile: core.lockfile,
    packages: { ...core.packages },
  };
}

/** Every pin whose value in `found` differs from `expected`, in a stable order. */
export function comparePins(expected: EnvironmentPin, found: EnvironmentPin): PinMismatch[] {
  const mismatches: PinMismatch[] = [];
  for (const key of PIN_FIELDS) {
    if (expected[key] !== found[key]) mismatches.push({ pin: key, expected: expected[key], found: found[key] });
  }
  const names = [...new Set([...Object.keys(expected.packages), ...Object.keys(found.packages)])].sort();
  for (const name of names) {
    const [want, have] = [expected.packages[name] ?? null, found.packages[name] ?? null];
    if (want !== have) mismatches.push({ pin: `packages.${name}`, expected: want, found: have });
  }
  return mismatches;
}

/** This machine's npm and the CUDA runtime the project's tfjs-node-gpu was built with. */
export async function collectMachineVersions(root: string): Promise<MachineVersions> {
  return { npm: await npmVersion(), cuda: await cudaVersion(root) };
}

let npmOnce: Promise<string | null> | undefined;

/** npm's version (the same for the whole process, so asked once): the copy beside this Node, else `npm --version`. */
function npmVersion(): Promise<string | null> {
  npmOnce ??= (async () => {
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
  })();
  return npmOnce;
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
