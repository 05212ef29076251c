/**
 * `evaluate`: how good the trained translators are, on faces training never saw. For each chosen epoch of
 * `progressive-train` (every kept one by default, so the metrics form curves), its G_A runs over the
 * held-out part of domain A (`split`'s held-out images and region maps) and is scored: NMC error, attention
 * IoU, noise diversity inside vs outside the mask, the collapse score of A10 (dead share overall and per
 * 2×2 output phase), and the KID between the faces it makes and real masked faces, on the 128-d descriptors
 * of the face recognition net shipped in face-api. The same KID for the held-out inputs as they are — the
 * rule-based warp alone — is the baseline, computed in the same run on the same real features and subset
 * draws: a translator that turns fake masks real scores below it. So does the KID of the outputs pasted into
 * their inputs inside the mask grown by `pasteDilate` (`kidPasted`: what an augmented set that keeps the
 * input's bytes outside the mask would score). Everything is seeded from params.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { Defaulted, defineStage, dir, FLOAT_KERNELS, GAN, file, ImageSize, Noise, Seed, Type, type RunParams, type Static } from '../dsl/index.js';
import { generatorBiasOnlyBackground } from '../gan/epoch-probe.js';
import { noiseAtInference, readEpochsFile, type EpochRecord } from '../gan/epochs-file.js';
import { disposeProbeRun } from '../gan/evaluate.js';
import { createGeneratorWeights, decoderSettings, disposeWeights, runGenerator } from '../gan/generator.js';
import { loadGeneratorWeights } from '../gan/generator-weights.js';
import { baselineKid, scoreHeldOut, type HeldOutScores, type KidSettings } from '../gan/held-out-evaluation.js';
import { pasteMaps } from '../gan/paste-inside.js';
import { pixelsToTensor, tensorToPixels } from '../gan/image-tensors.js';
import { loadDomain } from '../gan/training-data.js';
import { checkpointName } from '../gan/training-state.js';
import { encodeContactSheet } from '../kit/image-io.js';
import { deriveSeed } from '../kit/prng.js';
import type { Tf } from '../kit/tf-backend.js';
import type { FaceModels } from '../vision/faces.js';
import type { RawImage } from '../vision/types.js';

/** The scores every epoch reports, in plot order. */
const CURVE_KEYS = ['kid', 'kidStd', 'kidPasted', 'kidPastedStd', 'nmcError', 'attentionIoU', 'diversityInside', 'diversityOutside', 'diversityRatio', 'collapseDead', 'collapse00', 'collapse01', 'collapse10', 'collapse11'] as const;

export const params = Type.Object({
  epochs: Defaulted(
    Type.Union([Type.Literal('kept'), Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, uniqueItems: true })], { description: "'kept': every epoch progressive-train kept (curves); or a list of kept epochs" }),
    'kept',
  ),
  seed: Type.Ref(Seed),
  size: Type.Ref(ImageSize),
  noise: Defaulted(Type.Union([Type.Literal('trained'), Type.Literal('off'), Type.Ref(Noise)], { description: 'inference noise: as the epoch trained, none, or a spec' }), 'trained'),
  samples: Defaulted(Type.Integer({ minimum: 0, maximum: 8, description: 'noise samples per image for the diversity scores (2 or more to measure it)' }), 3),
  batch: Defaulted(Type.Integer({ minimum: 1, maximum: 64 }), 8),
  kid: Defaulted(
    Type.Object(
      {
        subsets: Defaulted(Type.Integer({ minimum: 1, maximum: 1000, description: 'KID subsets (mean ± std over them)' }), 50),
        subsetSize: Defaulted(Type.Integer({ minimum: 2, maximum: 10_000, description: 'faces per subset from each set, capped by the smaller set' }), 100),
      },
      { additionalProperties: false },
    ),
    {},
  ),
  gridImages: Defaulted(Type.Integer({ minimum: 1, maximum: 64, description: 'held-out images shown on the grid' }), 8),
  pasteDilate: Defaulted(
    Type.Integer({ minimum: 0, maximum: 64, description: "kidPasted: the outputs kept only inside the mask grown by this many pixels (nonmask-tensor's dilate), the inputs elsewhere" }),
    2,
  ),
});
export type Params = Static<typeof params>;
/** The params as `run` sees them: every `Defaulted` field present. */
type Settings = RunParams<typeof params>;

export const evaluate = defineStage({
  id: 'evaluate',
  description: 'score kept translators on held-out faces: NMC error, attention IoU, diversity, A10 collapse, KID on face descriptors vs the rule-based warp',
  params,
  inputs: {
    generators: dir('progressive-train output: kept G_A epochs and epochs.json'),
    images: dir('held-out domain A images (split heldOutImages)'),
    regions: dir('their mask-region maps (split heldOutRegions)'),
    real: dir('real masked faces (aligned crops) to compare against'),
  },
  outputs: {
    grid: file({ fileName: 'grid.png', description: 'held-out inputs, then each evaluated epoch\'s output' }),
  },
  tolerance: FLOAT_KERNELS,
  resources: GAN,
  metrics: ['evaluation'],
  plots: [
    { name: 'kid', x: 'epoch', y: ['kid', 'kidPasted', 'kidBaseline'], title: 'KID on face descriptors vs real masked faces: outputs, outputs pasted inside the mask, the warp (lower is better)' },
    { name: 'scores', x: 'epoch', y: ['nmcError', 'attentionIoU', 'collapseDead'], title: 'held-out NMC error, attention IoU and A10 collapse' },
  ],
  // face-api is required by a computed name and reads its model files from its package folder
  packages: ['@vladmandic/face-api', '@tensorflow/tfjs-core'],
  async run({ params, inputs, outputs, log, signal, tf }) {
    if (params.size % 4 !== 0) throw new Error(`param 'size' expected a multiple of 4 (the generator halves twice), received ${params.size}`);
    const { network, epochs } = await readEpochsFile(inputs.generators);
    const chosen = chooseEvaluated(params.epochs, epochs);
    const heldOut = await loadDomain(inputs.images, { size: params.size });
    const regions = await loadDomain(inputs.regions, { size: params.size });
    if (regions.names.join('\n') !== heldOut.names.join('\n')) {
      throw new Error(`expected one region map per held-out image with the same names in '${inputs.regions}', received ${regions.names.length} maps for ${heldOut.names.length} images (run the split stage on warp's masked/ and regions/)`);
    }
    const real = await loadDomain(inputs.real, { size: params.size });
    const { loadFaceModels } = await import('../vision/faces.js');
    const { describeFaceTensor } = await import('../vision/face-descriptors.js');
    const models = await loadFaceModels({ tf });
    const kid: KidSettings = { subsets: params.kid.subsets, subsetSize: params.kid.subsetSize, seed: deriveSeed(params.seed, 'kid') };
    const images = pixelsToTensor(tf, heldOut.pixels, params.size); // [N, S, S, 3]
    const keep = keepMaps(tf, regions.pixels, params.size); // [N, S, S, 1]
    const paste = pasteMaps(tf, regions.pixels, params.size, params.pasteDilate); // [N, S, S, 1]
    const realImages = pixelsToTensor(tf, real.pixels, params.size); // [M, S, S, 3]
    try {
      const realFeatures = await describeFaceTensor(models, realImages);
      const baseline = await baselineKid(models, images, realFeatures, kid);
      log.info(`baseline (rule-based warp, ${heldOut.names.length} held-out faces vs ${real.names.length} real): KID ${baseline.mean.toFixed(4)} ± ${baseline.std.toFixed(4)}`);
      const gridCount = Math.min(params.gridImages, heldOut.names.length);
      const gridRows: RawImage[][] = heldOut.pixels.slice(0, gridCount).map((data) => [{ width: params.size, height: params.size, channels: 3, data }]);
      const perEpoch: Record<string, Record<string, number | string | null>> = {};
      const curves: Record<string, number | string | null>[] = [];
      for (const record of chosen) {
        signal.throwIfAborted();
        const scores = await scoreEpoch(tf, models, record, { network, inputs, images, keep, paste, realFeatures, kid, params, gridRows, gridCount });
        const rounded = roundScores(scores);
        perEpoch[checkpointName(record.epoch)] = { phase: record.phase, ...rounded };
        curves.push({ epoch: record.epoch, phase: record.phase, ...rounded, kidBaseline: round6(baseline.mean) });
        log.info(`epoch ${record.epoch}: KID ${scores.kid.toFixed(4)} ± ${scores.kidStd.toFixed(4)}, pasted ${scores.kidPasted!.toFixed(4)} ± ${scores.kidPastedStd!.toFixed(4)} (baseline ${baseline.mean.toFixed(4)}), NMC error ${scores.nmcError.toFixed(4)}, attention IoU ${scores.attentionIoU.toFixed(3)}, A10 dead ${(scores.collapseDead * 100).toFixed(1)} %`);
      }
      await writeFile(outputs.grid, await encodeContactSheet(gridRows.flat(), { cell: Math.min(params.size, 128), columns: 1 + chosen.length }));
      const last = chosen[chosen.length - 1]!;
      return {
        metrics: {
          evaluation: {
            heldOut: heldOut.names.length,
            real: real.names.length,
            kidSubsets: kid.subsets,
            kidSubsetSize: Math.min(kid.subsetSize, heldOut.names.length, real.names.length),
            baseline: { kid: round6(baseline.mean), kidStd: round6(baseline.std) },
            epochs: chosen.map((e) => e.epoch).join(','),
            last: perEpoch[checkpointName(last.epoch)]!,
            ...perEpoch,
          },
        },
        plots: { kid: curves.map(pickCurve(['kid', 'kidPasted', 'kidBaseline'])), scores: curves.map(pickCurve(['nmcError', 'attentionIoU', 'collapseDead'])) },
      };
    } finally {
      tf.dispose([images, keep, paste, realImages]);
    }
  },
});

/** One epoch: load its G_A, score it, add its outputs to the grid. */
async function scoreEpoch(
  tf: Tf,
  models: FaceModels,
  record: EpochRecord,
  context: {
    network: Awaited<ReturnType<typeof readEpochsFile>>['network'];
    inputs: { generators: string };
    images: tfjs.Tensor4D;
    keep: tfjs.Tensor4D;
    paste: tfjs.Tensor4D;
    realFeatures: readonly Float32Array[];
    kid: KidSettings;
    params: Settings;
    gridRows: RawImage[][];
    gridCount: number;
  },
): Promise<HeldOutScores> {
  const { network, params } = context;
  const weights = createGeneratorWeights(tf, { ngf: network.ngf, blocks: network.blocks, seed: 1, scope: 'evaluated', ...decoderSettings(network) });
  try {
    await loadGeneratorWeights(tf, weights, join(context.inputs.generators, checkpointName(record.epoch)));
    const noise = noiseAtInference(params.noise, record);
    const generate = (x: tfjs.Tensor4D, noiseSeed: number) => runGenerator(tf, weights, x, noise ? { noise, noiseSeed } : {});
    const { scores, run } = await scoreHeldOut(tf, models, generate, context, context.realFeatures, {
      batch: params.batch,
      samples: params.samples,
      seed: deriveSeed(params.seed, 'noise', record.epoch),
      biasOnlyBackground: generatorBiasOnlyBackground(weights),
      kid: context.kid,
    });
    try {
      const shown = tf.slice(run.output, [0, 0, 0, 0], [context.gridCount, -1, -1, -1]) as tfjs.Tensor4D;
      const pixels = await tensorToPixels(tf, shown);
      shown.dispose();
      pixels.forEach((data, i) => context.gridRows[i]!.push({ width: params.size, height: params.size, channels: 3, data }));
    } finally {
      disposeProbeRun(tf, run);
    }
    return scores;
  } finally {
    disposeWeights(weights);
  }
}

/** The epochs to evaluate, in epoch order; only epochs whose G_A was kept qualify. */
export function chooseEvaluated(choice: Settings['epochs'], epochs: readonly EpochRecord[]): EpochRecord[] {
  const kept = epochs.filter((e) => e.kept);
  if (kept.length === 0) throw new Error('expected progressive-train to have kept at least one G_A epoch, received none; set its keepEvery or keepEpochs');
  if (choice === 'kept') return kept;
  const missing = choice.filter((n) => !kept.some((e) => e.epoch === n));
  if (missing.length > 0) {
    throw new Error(`epochs expected epochs whose G_A progressive-train kept (${kept.map((e) => e.epoch).join(', ')}), received ${missing.join(', ')}; add them to its keepEpochs`);
  }
  return kept.filter((e) => choice.includes(e.epoch));
}

/** Region maps (255 inside the mask) → keep maps [N, S, S, 1]: 1 outside the mask, 0 inside. */
function keepMaps(tf: Tf, regions: readonly Uint8Array[], size: number): tfjs.Tensor4D {
  const flat = new Float32Array(regions.length * size * size);
  regions.forEach((rgb, i) => {
    for (let p = 0; p < size * size; p += 1) flat[i * size * size + p] = rgb[p * 3]! >= 128 ? 0 : 1;
  });
  return tf.tensor4d(flat, [regions.length, size, size, 1]);
}

function roundScores(scores: HeldOutScores): Record<string, number | null> {
  return Object.fromEntries(CURVE_KEYS.map((k) => [k, round6(scores[k] ?? NaN)]));
}

function round6(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : null;
}

function pickCurve(keys: readonly string[]) {
  return (row: Record<string, number | string | null>) => ({ epoch: row.epoch!, phase: row.phase!, ...Object.fromEntries(keys.map((k) => [k, row[k] ?? null])) });
}
