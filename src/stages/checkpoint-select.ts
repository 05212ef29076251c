/**
 * `checkpoint-select`: picks the generator(s) to keep from `progressive-train`'s kept epochs — explicitly
 * (the paper kept epochs 313 and 476) or by a rule on the per-epoch probe scores (e.g. the lowest NMC
 * error from epoch 100 on) — exports each as a standalone TensorFlow.js GraphModel that loads with plain
 * `@tensorflow/tfjs`, and runs it over domain A to write the augmented data set (the product: fake masks
 * turned real), with a contact sheet of inputs and outputs. Given warp's region maps, each augmented face
 * keeps its input's pixels outside the mask grown by `pasteDilate` (paste-inside.ts): only the mask is
 * repainted. Noise at inference is the one the epoch trained with unless params override it; every draw is
 * seeded from params and the image's position.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, parse } from 'node:path';
import { Defaulted, defineStage, dir, FLOAT_KERNELS, GAN, file, ImageSize, Noise, optional, Seed, Type, type Static } from '../dsl/index.js';
import { noiseAtInference, readEpochsFile, type EpochRecord } from '../gan/epochs-file.js';
import { pixelsToTensor, tensorToPixels } from '../gan/image-tensors.js';
import { pasteInside, pasteMaps } from '../gan/paste-inside.js';
import { exportGeneratorModel } from '../gan/export-model.js';
import { createGeneratorWeights, decoderSettings, disposeWeights, runGenerator } from '../gan/generator.js';
import { loadGeneratorWeights } from '../gan/generator-weights.js';
import { checkpointName } from '../gan/training-state.js';
import { loadDomain } from '../gan/training-data.js';
import { encodeContactSheet, encodePng } from '../kit/image-io.js';
import { deriveSeed } from '../kit/prng.js';
import type { RawImage } from '../vision/types.js';

const QUALITY_KEYS = ['nmcError', 'attentionIoU', 'diversityInside', 'diversityOutside', 'diversityRatio', 'collapseDead'] as const;
// NOTE: ajv applies no defaults inside a union's branches, so `chooseEpochs` applies these two itself.
const DEFAULT_COUNT = 1;
const DEFAULT_FROM_EPOCH = 1;

export const params = Type.Object({
  select: Type.Union([
    Type.Object({ epochs: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, uniqueItems: true, description: 'explicit epochs (must be kept by progressive-train)' }) }, { additionalProperties: false }),
    Type.Object(
      {
        metric: Type.Union(QUALITY_KEYS.map((k) => Type.Literal(k)), { description: 'probe score to rank kept epochs by' }),
        mode: Type.Union([Type.Literal('min'), Type.Literal('max')]),
        count: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, default: DEFAULT_COUNT })),
        fromEpoch: Type.Optional(Type.Integer({ minimum: 1, default: DEFAULT_FROM_EPOCH, description: 'ignore earlier epochs (an untrained generator copies its input)' })),
      },
      { additionalProperties: false },
    ),
  ]),
  seed: Type.Ref(Seed),
  size: Type.Ref(ImageSize),
  noise: Defaulted(Type.Union([Type.Literal('trained'), Type.Literal('off'), Type.Ref(Noise)], { description: 'inference noise: as the epoch trained, none, or a spec' }), 'trained'),
  samplesPerImage: Defaulted(Type.Integer({ minimum: 1, maximum: 16, description: 'augmented variants per input image (different noise draws)' }), 1),
  batch: Defaulted(Type.Integer({ minimum: 1, maximum: 64 }), 4),
  gridImages: Defaulted(Type.Integer({ minimum: 1, maximum: 64, description: 'inputs shown on the grid' }), 12),
  pasteDilate: Defaulted(
    Type.Integer({ minimum: 0, maximum: 64, description: "with region maps: the generator's pixels are kept inside the mask grown by this many pixels (nonmask-tensor's dilate), the input's elsewhere" }),
    2,
  ),
});
export type Params = Static<typeof params>;

export const checkpointSelect = defineStage({
  id: 'checkpoint-select',
  description: 'choose generator epochs, export them as standalone tfjs models, write the augmented data set',
  params,
  inputs: {
    generators: dir('progressive-train output: kept G_A epochs and epochs.json'),
    images: dir('domain A images to augment'),
    regions: optional(dir("warp's region maps of those images (same names): given, each augmented face keeps its input's pixels outside the grown mask")),
  },
  outputs: {
    models: dir('epoch-NNNN/model.json + weights.bin: tfjs GraphModels'),
    augmented: dir('epoch-NNNN/<image>.png: the augmented data set'),
    grid: file({ fileName: 'grid.png', description: 'inputs and each chosen epoch\'s outputs' }),
  },
  tolerance: FLOAT_KERNELS,
  resources: GAN,
  metrics: ['selection'],
  packages: ['@tensorflow/tfjs-core'],
  async run({ params, inputs, outputs, log, signal, tf }) {
    if (params.size % 4 !== 0) throw new Error(`param 'size' expected a multiple of 4 (the generator halves twice), received ${params.size}`);
    const { network, epochs } = await readEpochsFile(inputs.generators);
    const chosen = chooseEpochs(params.select, epochs);
    log.info(`chosen epochs: ${chosen.map((e) => e.epoch).join(', ')}`);
    const images = await loadDomain(inputs.images, { size: params.size });
    const regions = inputs.regions === undefined ? undefined : await loadDomain(inputs.regions, { size: params.size });
    if (regions !== undefined && regions.names.join('\n') !== images.names.join('\n')) {
      throw new Error(`expected one region map per image with the same names in '${inputs.regions}', received ${regions.names.length} maps for ${images.names.length} images (give warp's regions/ for its masked/)`);
    }
    const gridCount = Math.min(params.gridImages, images.names.length);
    const gridRows: RawImage[][] = images.pixels.slice(0, gridCount).map((data) => [{ width: params.size, height: params.size, channels: 3, data }]);
    const samples = params.samplesPerImage;
    const batch = params.batch;
    const perEpoch: Record<string, Record<string, number | string | null>> = {};
    for (const record of chosen) {
      const noise = noiseAtInference(params.noise, record);
      const weights = createGeneratorWeights(tf, { ngf: network.ngf, blocks: network.blocks, seed: 1, scope: 'selected', ...decoderSettings(network) });
      try {
        const name = checkpointName(record.epoch);
        await loadGeneratorWeights(tf, weights, join(inputs.generators, name));
        await exportGeneratorModel(weights, join(outputs.models, name), noise ? { noise } : {});
        const target = join(outputs.augmented, name);
        await mkdir(target, { recursive: true });
        for (let start = 0; start < images.names.length; start += batch) {
          signal.throwIfAborted();
          const names = images.names.slice(start, start + batch);
          const x = pixelsToTensor(tf, images.pixels.slice(start, start + batch), params.size); // [B, S, S, 3] in [−1, 1]
          const inside = regions === undefined ? undefined : pasteMaps(tf, regions.pixels.slice(start, start + batch), params.size, params.pasteDilate); // [B, S, S, 1]
          try {
            for (let s = 0; s < samples; s += 1) {
              const noiseSeed = deriveSeed(params.seed, record.epoch, start, s);
              const y = tf.tidy(() => {
                const made = runGenerator(tf, weights, x, noise ? { noise, noiseSeed } : {}).output; // [B, S, S, 3]
                return inside === undefined ? made : pasteInside(tf, made, x, inside);
              });
              const pixels = await tensorToPixels(tf, y);
              y.dispose();
              for (const [i, data] of pixels.entries()) {
                const stem = parse(names[i]!).name;
                const image: RawImage = { width: params.size, height: params.size, channels: 3, data };
                await writeFile(join(target, samples === 1 ? `${stem}.png` : `${stem}-${s + 1}.png`), await encodePng(image));
                if (start + i < gridCount && s === 0) gridRows[start + i]!.push(image);
              }
            }
          } finally {
            x.dispose();
            inside?.dispose();
          }
        }
      } finally {
        disposeWeights(weights);
      }
      perEpoch[checkpointName(record.epoch)] = { phase: record.phase, noiseSigma: noise?.sigma ?? 0, ...record.quality };
      log.info(`epoch ${record.epoch}: exported the model and ${images.names.length * samples} augmented images`);
    }
    await writeFile(outputs.grid, await encodeContactSheet(gridRows.flat(), { cell: Math.min(params.size, 128), columns: 1 + chosen.length }));
    return {
      metrics: {
        selection: {
          rule: 'epochs' in params.select ? 'explicit' : `${params.select.mode} ${params.select.metric}`,
          epochs: chosen.map((e) => e.epoch).join(','),
          images: images.names.length,
          augmented: images.names.length * samples * chosen.length,
          pasted: regions === undefined ? 'no' : `inside the mask grown by ${params.pasteDilate} px`,
          ...perEpoch,
        },
      },
    };
  },
});

/** The epoch records the rule picks, in epoch order; only epochs whose G_A was kept qualify. */
export function chooseEpochs(select: Params['select'], epochs: readonly EpochRecord[]): EpochRecord[] {
  const kept = epochs.filter((e) => e.kept);
  if ('epochs' in select) {
    const missing = select.epochs.filter((n) => !kept.some((e) => e.epoch === n));
    if (missing.length > 0) {
      throw new Error(`select.epochs expected epochs whose G_A progressive-train kept (${kept.map((e) => e.epoch).join(', ') || 'none'}), received ${missing.join(', ')}; add them to its keepEpochs`);
    }
    return kept.filter((e) => select.epochs.includes(e.epoch));
  }
  const from = select.fromEpoch ?? DEFAULT_FROM_EPOCH;
  const scored = kept.filter((e) => e.epoch >= from && typeof e.quality[select.metric] === 'number');
  if (scored.length === 0) {
    throw new Error(`select.metric '${select.metric}' expected kept epochs from ${from} on with that score, received none (kept: ${kept.map((e) => e.epoch).join(', ') || 'none'})`);
  }
  const sign = select.mode === 'min' ? 1 : -1;
  const ranked = [...scored].sort((p, q) => sign * ((p.quality[select.metric] as number) - (q.quality[select.metric] as number)) || p.epoch - q.epoch);
  return ranked.slice(0, select.count ?? DEFAULT_COUNT).sort((p, q) => p.epoch - q.epoch);
}


