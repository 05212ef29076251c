/**
 * What a training stage measures at the end of every epoch on a fixed probe set — the first images of
 * domain A, centre-cropped, never flipped: the sample grid (input | A10 | output | noise samples, rendered
 * with the noise the phase trains with) and the probe scores (NMC error, attention IoU, noise diversity
 * inside vs outside the mask, and the collapse score of A10). Also the per-epoch score log (`quality.jsonl` in the work folder), written
 * atomically so that a resumed run reports every epoch, including those before the interruption.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../kit/fs-atomic.js';
import { createRng } from '../kit/prng.js';
import type { Tf } from '../kit/tf-backend.js';
import { disposeProbeRun, runProbe, scoreProbe, type ProbeMetrics } from './evaluate.js';
import { biasOnlyBackground } from './collapse-score.js';
import { runGenerator, type GeneratorWeights } from './generator.js';
import type { NoiseSpec } from './noise.js';
import { renderSampleGrid } from './sample-grid.js';
import { makeBatch, type Domain } from './training-data.js';

const QUALITY_LOG = 'quality.jsonl';

/** How one epoch is probed. */
export interface EpochProbeOptions {
  /** probe images: the first `count` of domain A by name */
  readonly count: number;
  /** side of the centre crop the generator sees, px */
  readonly cropSize: number;
  /** the noise the phase trains with; none when undefined */
  readonly noise: NoiseSpec | undefined;
  /** noise samples per probe image (grid and diversity) */
  readonly samples: number;
  /** seeds every noise draw */
  readonly seed: number;
  /** where the sample grid PNG goes */
  readonly gridPath: string;
}

/** Renders the sample grid of `generator` on the probe set and returns its scores. */
export async function probeEpoch(tf: Tf, generator: GeneratorWeights, a: Domain, options: EpochProbeOptions): Promise<ProbeMetrics> {
  const indices = Array.from({ length: options.count }, (_, i) => i);
  const probe = makeBatch(tf, a, indices, { loadSize: options.cropSize, cropSize: options.cropSize, flip: false }, createRng(0)); // [P, c, c, 3], keep [P, c, c, 1]
  const generate = (x: Parameters<typeof runGenerator>[2], noiseSeed: number) => runGenerator(tf, generator, x, { noise: options.noise, noiseSeed });
  const run = runProbe(tf, generate, probe.images, { samples: options.samples, seed: options.seed });
  try {
    await writeFile(options.gridPath, await renderSampleGrid({ images: probe.images, attention: run.attention, output: run.output, samples: run.samples }));
    return scoreProbe(tf, probe.images, probe.keep!, run, { samples: options.samples, seed: options.seed, biasOnlyBackground: generatorBiasOnlyBackground(generator) });
  } finally {
    disposeProbeRun(tf, run);
    tf.dispose([probe.images, ...(probe.keep ? [probe.keep] : [])]);
  }
}

/** The A10 the generator's attention head gives on all-zero features: softmax of its biases, last map. */
export function generatorBiasOnlyBackground(generator: GeneratorWeights): number {
  return biasOnlyBackground(generator.deconv3Attention.bias.dataSync());
}

/** The probe scores logged in `workDir` so far, by global epoch (none for a fresh run). */
export async function readQualityLog(workDir: string): Promise<Map<number, ProbeMetrics>> {
  const text = await readFile(join(workDir, QUALITY_LOG), 'utf8').catch(() => '');
  const entries = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): [number, ProbeMetrics] => {
      const { epoch, ...metrics } = JSON.parse(line) as { epoch: number } & ProbeMetrics;
      return [epoch, metrics];
    });
  return new Map(entries);
}

/** Rewrites the log with every epoch's scores; atomic, so a run killed mid-write leaves a readable log. */
export async function writeQualityLog(workDir: string, quality: ReadonlyMap<number, ProbeMetrics>): Promise<void> {
  await writeFileAtomic(join(workDir, QUALITY_LOG), [...quality].map(([epoch, q]) => JSON.stringify({ epoch, ...q })).join('\n') + '\n');
}
