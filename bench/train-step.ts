/**
 * Full-size AttentionGAN training step (two G + two D, ngf 64, 9 blocks, ndf 64, batch 4; MODEL.md §2.3
 * losses: LSGAN, cycle λ 10, identity 0.5, one Adam 2e-4 / β1 0.5 / eps 1e-8 for the Gs and one for the Ds,
 * pools of 50) at 128² and 256²: tfjs on native TensorFlow (src/gan/train-step.ts's `trainStep`) as repro runs
 * it (oneDNN on; `--onednn-off` adds a row with TF_ENABLE_ONEDNN_OPTS=0), against the same step in PyTorch on
 * the CPU (bench/torch/train_step.py, threads = cores), each configuration in its own child process so peak
 * memory is its own, all measured in this run on this machine. Prints the median s/step and CPU s/step, peak
 * RSS, the ratios tfjs/torch against the goals (time ≤ 1.2, memory ≤ 1.0), and then the step-equivalence
 * run against torch (bench/step-equivalence.ts). Where the GPU binding is built and sees a GPU, a
 * 'tfjs-gpu' row runs too, printed next to the H200 reference of the official code (MODEL.md §3.2).
 * Torch comes from $REPRO_TORCH_PYTHON or .venv-torch/bin/python (`npm run setup:torch` creates it); without
 * it only tfjs is measured. A configuration whose peak memory, extrapolated from the previous size by pixel
 * count, would exceed 90 % of this machine's memory is skipped and reported as such rather than run into
 * the OOM killer. Run it on an otherwise idle machine: wall times are shared with whatever else runs.
 * Usage: npx tsx bench/train-step.ts [steps=2] [sizes=128,256] [--onednn-off] [--no-equivalence]
 *   (one warm-up step before the measured ones)
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type * as tfjs from '@tensorflow/tfjs';
import { describeBackend, detectBackendKind, loadTensorflow } from '../src/kit/tf-backend.js';
import { createImagePool } from '../src/gan/image-pool.js';
import { createGanOptimizers, disposeGanOptimizers } from '../src/gan/optimizers.js';
import { createGanModels, disposeGanModels, REFERENCE_LAMBDAS, trainStep } from '../src/gan/train-step.js';
import { findTorchPython, runStepEquivalenceBench, TINY_CONFIG } from './step-equivalence.js';
import { median } from './timing.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 4;
const WARM_UP = 1;
const NETWORK = { ngf: 64, blocks: 9, ndf: 64 } as const;

type Framework = 'tfjs' | 'tfjs-onednn-off' | 'tfjs-gpu' | 'torch';

/** The official PyTorch AttentionGAN on one H200, 256², batch 4 (MODEL.md §3.2). */
const H200_REFERENCE = 'H200 reference (official PyTorch code, 256², batch 4): 122 ms/step with TF32 convolutions, 275 ms strict fp32, peak 10.5 GiB';

interface Sample {
  framework: Framework;
  size: number;
  medianSeconds: number;
  seconds: number[];
  /** Median CPU seconds (user + system, all threads) per step: less sensitive than wall time to other processes. */
  medianCpuSeconds: number;
  peakRssMiB: number;
  /** 1-minute load average before and after the child ran (2 cores: above ~2.5 means others were busy too). */
  load?: [number, number];
  version: string;
  error?: string;
}

/** One configuration in this (child) process: WARM_UP + steps iterations of `trainStep`. */
async function measureTfjs(framework: Exclude<Framework, 'torch'>, size: number, steps: number): Promise<Sample> {
  const tf = await loadTensorflow(framework === 'tfjs-gpu' ? 'tensorflow-gpu' : 'tensorflow');
  const models = createGanModels(tf, NETWORK, 1);
  const optimizers = createGanOptimizers(tf);
  const pools = { fakeA: createImagePool(tf, 50, 2), fakeB: createImagePool(tf, 50, 3) };
  const a = tf.randomUniform([BATCH, size, size, 3], -1, 1, 'float32', 4) as tfjs.Tensor4D; // [4, S, S, 3]
  const b = tf.randomUniform([BATCH, size, size, 3], -1, 1, 'float32', 5) as tfjs.Tensor4D;
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  for (let i = 0; i < WARM_UP + steps; i += 1) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    trainStep(tf, models, optimizers, pools, { a, b }, { lambdas: REFERENCE_LAMBDAS, seed: 1, globalStep: i }); // losses read back: the step is done
    const used = process.cpuUsage(cpu);
    if (i >= WARM_UP) {
      seconds.push((performance.now() - start) / 1000);
      cpuSeconds.push((used.user + used.system) / 1e6);
    }
  }
  tf.dispose([a, b]);
  pools.fakeA.dispose();
  pools.fakeB.dispose();
  disposeGanOptimizers(optimizers);
  disposeGanModels(models);
  return {
    framework, size, medianSeconds: median(seconds), seconds, medianCpuSeconds: median(cpuSeconds),
    peakRssMiB: process.resourceUsage().maxRSS / 1024, version: describeBackend(framework === 'tfjs-gpu' ? 'tensorflow-gpu' : 'tensorflow'),
  };
}


async function runChild(file: string, args: string[], env: Record<string, string>, framework: Framework, size: number): Promise<Sample> {
  const loadBefore = loadavg()[0]!;
  const child = await execa(file, args, { cwd: ROOT, reject: false, stdin: 'ignore', env });
  const load: [number, number] = [loadBefore, loadavg()[0]!];
  const line = String(child.stdout).trim().split('\n').pop() ?? '';
  if (child.exitCode !== 0 || !line.startsWith('{')) {
    const reason = child.signal ? `killed by ${child.signal} (out of memory?)` : String(child.stderr).trim().split('\n').slice(-1)[0] ?? `exit ${child.exitCode}`;
    return { framework, size, medianSeconds: NaN, seconds: [], medianCpuSeconds: NaN, peakRssMiB: NaN, version: '', error: reason, load };
  }
  const sample = JSON.parse(line) as Sample;
  return { ...sample, framework, load };
}

const [, , first, ...rest] = process.argv;
if (first === '--child') {
  const framework = rest[0] as Exclude<Framework, 'torch'>;
  const [size, steps] = rest.slice(1).map(Number) as [number, number];
  const sample = await measureTfjs(framework, size, steps).catch((error: unknown): Sample => ({
    framework, size, medianSeconds: NaN, seconds: [], medianCpuSeconds: NaN, peakRssMiB: NaN, version: '', error: String(error).split('\n')[0] ?? '',
  }));
  process.stdout.write(`${JSON.stringify(sample)}\n`);
} else {
  const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const steps = Number(positional[0] ?? 2);
  const sizes = (positional[1] ?? '128,256').split(',').map(Number);
  const withOnednnOff = process.argv.includes('--onednn-off');
  const gpu = detectBackendKind() === 'tensorflow-gpu';
  const python = findTorchPython();
  const samples: Sample[] = [];
  const torchArgs = (size: number) => [join(ROOT, 'bench', 'torch', 'train_step.py'), '--size', String(size), '--batch', String(BATCH),
    '--ngf', String(NETWORK.ngf), '--blocks', String(NETWORK.blocks), '--ndf', String(NETWORK.ndf),
    '--warmup', String(WARM_UP), '--steps', String(steps), '--threads', String(cpus().length)];
  const tfjsArgs = (framework: string) => (size: number) => ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', framework, String(size), String(steps)];
  const runs: [Framework, string | undefined, (size: number) => string[], Record<string, string>][] = [
    ['tfjs', process.execPath, tfjsArgs('tfjs'), {}],
    ['tfjs-onednn-off', withOnednnOff ? process.execPath : undefined, tfjsArgs('tfjs-onednn-off'), { TF_ENABLE_ONEDNN_OPTS: '0' }],
    ['tfjs-gpu', gpu ? process.execPath : undefined, tfjsArgs('tfjs-gpu'), {}],
    ['torch', python, torchArgs, {}],
  ];
  for (const size of sizes) {
    for (const [framework, file, args, env] of runs) {
      if (file === undefined) continue;
      const previous = samples.filter((s) => s.framework === framework && !s.error).pop();
      const expectedMiB = previous ? previous.peakRssMiB * (size / previous.size) ** 2 : 0;
      if (expectedMiB > 0.9 * totalmem() / 2 ** 20) {
        const error = `skipped: needs ≈ ${(expectedMiB / 1024).toFixed(0)} GiB (${previous!.size}² peak × pixel ratio), machine has ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
        samples.push({ framework, size, medianSeconds: NaN, seconds: [], medianCpuSeconds: NaN, peakRssMiB: NaN, version: '', error });
        continue;
      }
      samples.push(await runChild(file, args(size), env, framework, size));
    }
  }
  console.log(`AttentionGAN training step (2 G + 2 D, ngf ${NETWORK.ngf}, ${NETWORK.blocks} blocks, batch ${BATCH}), median of ${steps} steps after ${WARM_UP} warm-up, ${cpus().length} CPU cores`);
  for (const v of [...new Set(samples.map((s) => `${s.framework}: ${s.version}`))].filter((v) => !v.endsWith(': '))) console.log(`  ${v}`);
  if (!python) console.log('  torch baseline skipped: set REPRO_TORCH_PYTHON, or run `node scripts/setup-torch.mjs` (creates .venv-torch)');
  console.log('goals: tfjs/torch ≤ 1.2 in wall and CPU time, ≤ 1.0 in peak memory (✓ met, ✗ missed)');
  console.log('size  framework         s/step  tfjs/torch   CPU s/step  tfjs/torch   peak RSS MiB  tfjs/torch   load 1-min   steps (s)');
  for (const s of samples) {
    const torch = samples.find((t) => t.size === s.size && t.framework === 'torch' && !t.error);
    const comparable = s.framework !== 'torch' && s.framework !== 'tfjs-gpu' && torch !== undefined && !s.error;
    const ratio = (key: 'medianSeconds' | 'medianCpuSeconds' | 'peakRssMiB', goal: number) => {
      if (!comparable) return '';
      const value = s[key] / torch![key];
      return `${value.toFixed(2)} ${value <= goal ? '✓' : '✗'}`;
    };
    const load = s.load ? `${s.load[0].toFixed(1)} → ${s.load[1].toFixed(1)}` : '';
    const line = s.error
      ? (s.error.startsWith('skipped') ? s.error : `failed: ${s.error}`)
      : `${s.medianSeconds.toFixed(2).padStart(8)} ${ratio('medianSeconds', 1.2).padStart(11)}   ${s.medianCpuSeconds.toFixed(2).padStart(10)} ${ratio('medianCpuSeconds', 1.2).padStart(11)}   ${s.peakRssMiB.toFixed(0).padStart(12)} ${ratio('peakRssMiB', 1.0).padStart(11)}   ${load.padStart(11)}   ${s.seconds.map((v) => v.toFixed(1)).join(', ')}`;
    console.log(`${String(s.size).padEnd(5)} ${s.framework.padEnd(15)} ${line}`);
  }
  if (gpu) console.log(`  ${H200_REFERENCE}`);
  if (!process.argv.includes('--no-equivalence')) await printStepEquivalence();
}

/** The step-equivalence runs against torch (bench/step-equivalence.ts), after the timings: tiny size, then working size. */
async function printStepEquivalence(): Promise<void> {
  console.log('');
  if ((await runStepEquivalenceBench({ config: TINY_CONFIG })).status !== 'ran') return;
  console.log('');
  await runStepEquivalenceBench();
}
