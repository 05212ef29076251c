/**
 * Checks the GPU install flow in a checkout where it ran (`node scripts/install-native-tf.mjs --gpu`, or an
 * `npm install` on an NVIDIA machine): loads @tensorflow/tfjs-node-gpu through the project's loader
 * (`loadTensorflow('tensorflow-gpu')`), prints the GPU devices TensorFlow registered, or "no GPU visible: <why>"
 * in TensorFlow's own words, then trains one tiny AttentionGAN step through that binding (2 G + 2 D, ngf 4,
 * 1 block, ndf 8, batch 1, reference λs) and the same step through @tensorflow/tfjs-node, each in its own
 * process (one native package per process), and prints both steps' losses and times. Same seeds, so on a
 * CPU-only machine both bindings must give the same losses.
 * Usage: npx tsx scripts/check-gpu-flow.ts [size=32] [steps=3]   (npm run check:gpu; one warm-up step first, then the median)
 * Exits 1 when the GPU binding does not load or train, or when `nvidia-smi` lists a GPU TensorFlow did not register.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfjs from '@tensorflow/tfjs';
import { ReproError } from '../src/errors.js';
import { describeBackend, loadTensorflow, type Tf } from '../src/kit/tf-backend.js';
import { createImagePool } from '../src/gan/image-pool.js';
import { createGanOptimizers, disposeGanOptimizers } from '../src/gan/optimizers.js';
import { createGanModels, disposeGanModels, REFERENCE_LAMBDAS, trainStep, type StepLosses } from '../src/gan/train-step.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GPU_RETRY = 'node scripts/install-native-tf.mjs --gpu --force --verbose'; // as scripts/native-tf/shared.mjs
const NETWORK = { ngf: 4, blocks: 1, ndf: 8 } as const;
const require = createRequire(import.meta.url);

type Kind = 'tensorflow-gpu' | 'tensorflow';

/** What one child reports. */
interface StepReport {
  kind: Kind;
  backend: string;
  /** TensorFlow placed ops on a GPU (the binding's `isUsingGpuDevice`). */
  gpu: boolean;
  /** The project loader's refusal when it found no GPU (then the package it had loaded is used as is). */
  loaderSaid?: string;
  /** Losses of the first (warm-up) step: same seeds, so comparable across bindings. */
  losses?: StepLosses;
  /** Wall seconds of each measured step. */
  seconds?: number[];
  /** The first step, which also creates the Adam moments and warms TensorFlow's kernels. */
  warmUpSeconds?: number;
  /** Most tensors a measured step left behind, not counting the images the history pools keep. */
  leakedTensors?: number;
  /** Why the child failed; the other fields are then empty. */
  error?: string;
}

// ---- child: one binding, one step ---------------------------------------------------------------------------
async function loadFor(kind: Kind): Promise<{ tf: Tf; loaderSaid?: string }> {
  try {
    return { tf: await loadTensorflow(kind) };
  } catch (error) {
    // the loader refuses 'tensorflow-gpu' without a GPU, after it loaded the package and made 'tensorflow'
    // active: that refusal is the answer to "does it see a GPU", and the loaded package can still train on CPU
    if (kind !== 'tensorflow-gpu' || !(error instanceof ReproError) || !/GPU device, it found none/.test(error.message)) throw error;
    const tf = require('@tensorflow/tfjs-node-gpu') as Tf;
    if (tf.getBackend() !== 'tensorflow') throw error;
    return { tf, loaderSaid: `${error.code}: ${error.message}` };
  }
}

async function measure(kind: Kind, size: number, steps: number): Promise<StepReport> {
  const { tf, loaderSaid } = await loadFor(kind);
  const gpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  const models = createGanModels(tf, NETWORK, 1);
  const optimizers = createGanOptimizers(tf);
  const pools = { fakeA: createImagePool(tf, 50, 2), fakeB: createImagePool(tf, 50, 3) };
  const a = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 4) as tfjs.Tensor4D; // [1, S, S, 3]
  const b = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 5) as tfjs.Tensor4D;
  const step = (i: number) => {
    const before = tf.memory().numTensors - pools.fakeA.count - pools.fakeB.count; // stored pool images are kept on purpose
    const start = performance.now();
    const losses = trainStep(tf, models, optimizers, pools, { a, b }, { lambdas: REFERENCE_LAMBDAS, seed: 1, globalStep: i }); // numbers: the step is done
    const elapsed = (performance.now() - start) / 1000;
    return { losses, elapsed, leaked: tf.memory().numTensors - pools.fakeA.count - pools.fakeB.count - before };
  };
  const warmUp = step(0);
  const measured = Array.from({ length: steps }, (_, i) => step(i + 1));
  tf.dispose([a, b]);
  pools.fakeA.dispose();
  pools.fakeB.dispose();
  disposeGanOptimizers(optimizers);
  disposeGanModels(models);
  return {
    kind, backend: tf.getBackend(), gpu, ...(loaderSaid === undefined ? {} : { loaderSaid }), losses: warmUp.losses,
    seconds: measured.map((m) => m.elapsed), warmUpSeconds: warmUp.elapsed, leakedTensors: Math.max(0, ...measured.map((m) => m.leaked)),
  };
}

// ---- parent: both bindings, report ------------------------------------------------------------------------
/** TensorFlow's C++ log lines about CUDA and GPUs: `I0000 00:00:… <pid> file.cc:N] message`. */
function tensorflowSaid(stderr: string): string[] {
  return stderr.split('\n')
    .map((line) => /^[IWEF]\d{4} [\d:. ]+\s+\d+ ([\w.]+:\d+)\] (.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null && /cuda|cuInit|gpu|device|dlopen|dynamic library/i.test(m[2]!))
    .map((m) => `${m[2]}  [${m[1]}]`);
}

function runChild(kind: Kind, size: number, steps: number): { report: StepReport; said: string[] } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind, String(size), String(steps)], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20,
    // TensorFlow's INFO lines are where it says what it did about CUDA; the CPU run keeps the project's level
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: kind === 'tensorflow-gpu' ? '0' : '2' },
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  const said = tensorflowSaid(child.stderr);
  if (child.status !== 0 || !line.startsWith('{')) {
    const why = child.stderr.trim().split('\n').filter((l) => !/^[IWEF]\d{4} /.test(l)).slice(-3).join(' / ') || `exit ${String(child.status ?? child.signal)}`;
    return { report: { kind, backend: '', gpu: false, error: why }, said };
  }
  return { report: JSON.parse(line) as StepReport, said };
}

function nvidiaGpuListed(): boolean {
  const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  return smi.status === 0 && /GPU \d+:/.test(smi.stdout);
}

function cudaWheels(): string {
  try {
    const stamp = JSON.parse(readFileSync(join(dirname(require.resolve('@tensorflow/tfjs-node-gpu/package.json')), 'deps', '.repro-native-tf.json'), 'utf8')) as { cuda?: string[] };
    return (stamp.cuda ?? []).map((w) => w.split('-').slice(0, 2).join(' ').replace(/^nvidia_/, '').replace(/_cu12 /, ' ')).join(', ') || 'none recorded';
  } catch {
    return 'no stamp (not built by scripts/install-native-tf.mjs --gpu)';
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (s: number[] | undefined) => (s && s.length ? `median ${median(s).toFixed(3)} s/step (${s.map((v) => v.toFixed(3)).join(', ')})` : '—');

const [, , first, ...rest] = process.argv;
if (first === '--child') {
  const kind = rest[0] as Kind;
  const [size, steps] = rest.slice(1).map(Number) as [number, number];
  const report = await measure(kind, size, steps).catch((error: unknown): StepReport => {
    const message = String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
    return { kind, backend: '', gpu: false, error: error instanceof ReproError && error.hint ? `${message} (${error.hint})` : message };
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  const size = Number(process.argv[2] ?? 32);
  const steps = Number(process.argv[3] ?? 3);
  const listed = nvidiaGpuListed();
  console.log(`GPU flow check: ${describeBackend('tensorflow-gpu')}; CUDA wheels: ${cudaWheels()}`);
  console.log(`nvidia-smi: ${listed ? 'lists a GPU' : 'no GPU listed (or no nvidia-smi)'}`);
  const gpuRun = runChild('tensorflow-gpu', size, steps);
  const gpuDevices = gpuRun.said.filter((l) => /Created device .*GPU/.test(l));
  if (gpuRun.report.error) {
    console.log(`tfjs-node-gpu: FAILED: ${gpuRun.report.error}`);
    console.log(`  (re)build the GPU flow with \`${GPU_RETRY}\` (REPRO_TF_GPU=1 does the same in npm install)`);
  } else if (gpuRun.report.gpu) {
    console.log(`devices: ${gpuDevices.length ? gpuDevices.map((l) => l.replace(/^Created device /, '')).join('; ') : 'a GPU (isUsingGpuDevice), no "Created device" line seen'}`);
  } else {
    const why = gpuRun.said.filter((l) => /cuInit|cuda driver|Cannot dlopen|Could not load dynamic library|Skipping registering/i.test(l));
    console.log(`devices: host CPU only; no GPU visible: ${why.length ? why.join(' | ') : '(TensorFlow said nothing about CUDA)'}`);
    if (gpuRun.report.loaderSaid) console.log(`project loader: ${gpuRun.report.loaderSaid}`);
  }
  const unshown = gpuRun.said.filter((l) => !/cuInit|cuda driver|Cannot dlopen|Could not load dynamic library|Skipping registering|Created device .*GPU/i.test(l));
  if (unshown.length) console.log(`TensorFlow also said (CUDA/GPU lines):\n  ${unshown.join('\n  ')}`);
  const cpuRun = runChild('tensorflow', size, steps);
  console.log(`\none AttentionGAN step, ${size}², batch 1, ngf ${NETWORK.ngf}, ${NETWORK.blocks} block, ndf ${NETWORK.ndf}; ${steps} measured after 1 warm-up:`);
  for (const { report } of [gpuRun, cpuRun]) {
    const label = report.kind === 'tensorflow-gpu' ? `tfjs-node-gpu (${report.gpu ? 'GPU' : 'CPU'})` : 'tfjs-node (CPU)';
    if (report.error) { console.log(`  ${label.padEnd(22)} failed: ${report.error}`); continue; }
    console.log(`  ${label.padEnd(22)} ${fmt(report.seconds)}; warm-up ${report.warmUpSeconds?.toFixed(3)} s; tensors leaked per step ${report.leakedTensors}`);
    console.log(`  ${''.padEnd(22)} first-step losses ${Object.entries(report.losses ?? {}).map(([k, v]) => `${k} ${v.toFixed(5)}`).join(', ')}`);
  }
  if (gpuRun.report.losses && cpuRun.report.losses) {
    const diff = Math.max(...Object.keys(gpuRun.report.losses).map((k) => Math.abs(gpuRun.report.losses![k as keyof StepLosses] - cpuRun.report.losses![k as keyof StepLosses])));
    console.log(`  largest first-step loss difference between the bindings: ${diff.toExponential(2)}`);
  }
  const failed = gpuRun.report.error !== undefined || (listed && !gpuRun.report.gpu);
  if (listed && !gpuRun.report.gpu && !gpuRun.report.error) console.log('FAILED: nvidia-smi lists a GPU but TensorFlow registered none (see its lines above)');
  process.exitCode = failed ? 1 : 0;
}
