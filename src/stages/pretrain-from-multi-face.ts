/**
 * `pretrain-from-multi-face`: the translator's initial weights (the paper starts from a "multi-face
 * translator"). Three methods: `tfjs` loads generator files (generator.json/.bin, from an export or
 * from scripts/convert-attentiongan.py, one format either way); `torch` converts a public AttentionGAN
 * PyTorch checkpoint folder (`*net_G_A.pth`, `*net_G_B.pth`) into that format with the project's
 * standard-library converter and loads it the same way; `pretrain` trains both generators on an auxiliary multi-face task cut from group photos
 * (scene tiles with flat occluders → clean scene tiles, with the NMC loss on the occluders' keep maps).
 * Whatever the source, the transfer rule applies: layers whose shapes differ from the configured network
 * keep their seeded init and are listed (e.g. the geo variant's 30-channel content layer).
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Defaulted, defineStage, dir, FLOAT_KERNELS, GAN, NetworkSize, optional, Seed, Type, type RunParams, type Static } from '../dsl/index.js';
import { createDomainBatchSource } from '../gan/domain-batches.js';
import { createGeneratorWeights, decoderSettings, disposeWeights, type GeneratorWeights } from '../gan/generator.js';
import { exportGenerator, GENERATOR_JSON, readGeneratorWeights, transferGeneratorWeights } from '../gan/generator-weights.js';
import { convertTorchCheckpoint } from '../gan/torch-checkpoint.js';
import { runTraining } from '../gan/trainer.js';
import type { Domain } from '../gan/training-data.js';
import type { Tf } from '../kit/tf-backend.js';
import { readRgb } from '../kit/image-io.js';
import { listImages } from '../kit/list-images.js';
import { makeOcclusionTiles } from '../vision/occlusion-tiles.js';
import { createRng, deriveSeed } from '../kit/prng.js';
import type { RawImage } from '../vision/types.js';

export const params = Type.Object({
  method: Type.Union([Type.Literal('pretrain'), Type.Literal('tfjs'), Type.Literal('torch')], {
    description: "'pretrain': train on tiles of the multi-face photos; 'tfjs': load tfjs generator weights; 'torch': convert an AttentionGAN .pth checkpoint folder",
  }),
  seed: Type.Ref(Seed),
  network: Type.Ref(NetworkSize),
  pretrain: Defaulted(
    Type.Object(
      {
        epochs: Defaulted(Type.Integer({ minimum: 1, maximum: 10_000 }), 5),
        tiles: Defaulted(Type.Integer({ minimum: 1, maximum: 100_000, description: 'tiles per domain' }), 64),
        size: Defaulted(Type.Integer({ minimum: 24, maximum: 1024, multipleOf: 4, description: 'tile side, px' }), 64),
        batch: Defaulted(Type.Integer({ minimum: 1, maximum: 64 }), 4),
        lr: Defaulted(Type.Number({ exclusiveMinimum: 0 }), 2e-4),
        nmc: Defaulted(Type.Number({ minimum: 0, description: 'NMC weight on the occluders\' keep maps' }), 10),
      },
      { additionalProperties: false },
    ),
    {}, // NOTE: ajv then fills each field of the empty object from its own default
  ),
});
export type Params = Static<typeof params>;
/** The params as `run` sees them: every `Defaulted` field present. */
type Settings = RunParams<typeof params>;

/** transfer.json: where each generator's weights came from and which layers kept the seeded init. */
export interface TransferReport {
  method: Params['method'];
  generators: Record<'G_A' | 'G_B', { source: string; loaded: number; reinitialised: string[] }>;
}

export const pretrainFromMultiFace = defineStage({
  id: 'pretrain-from-multi-face',
  description: 'initial translator weights: load tfjs weights, convert a PyTorch AttentionGAN checkpoint, or pretrain on multi-face tiles',
  params,
  inputs: {
    checkpoint: optional(dir('methods tfjs/torch: the weights folder')),
    photos: optional(dir('method pretrain: multi-face photos')),
  },
  outputs: { weights: dir('G_A/ and G_B/ (generator.json + generator.bin) and transfer.json') },
  tolerance: FLOAT_KERNELS,
  resources: GAN,
  metrics: ['transfer'],
  plots: [{ name: 'losses', x: 'epoch', y: ['g_total', 'dA', 'dB', 'nmc'], title: 'pretraining losses per epoch' }],
  packages: ['@tensorflow/tfjs-core'],
  async run({ params, inputs, outputs, workDir, log, signal, tf }) {
    // Scopes differ from the trainer's G_A/G_B, since tfjs variable names are global.
    const create = (name: 'G_A' | 'G_B') => createGeneratorWeights(tf, { ngf: params.network.ngf, blocks: params.network.blocks, seed: deriveSeed(params.seed, name), scope: `init_${name}`, ...decoderSettings(params.network) });
    const gA = create('G_A');
    const gB = create('G_B');
    try {
      let report: TransferReport;
      let losses: Record<string, number | string>[] = [];
      if (params.method === 'pretrain') {
        if (!inputs.photos) throw new Error("method 'pretrain' expected the photos input, received none (pass `photos: x.data('data/…')`)");
        const trained = await pretrainOnTiles(tf, params, inputs.photos, workDir, { gA, gB }, signal, (m) => log.info(m));
        losses = trained.losses;
        report = { method: 'pretrain', generators: { G_A: { source: 'pretrained on multi-face tiles', loaded: gA.variables.length, reinitialised: [] }, G_B: { source: 'pretrained on multi-face tiles', loaded: gB.variables.length, reinitialised: [] } } };
      } else {
        if (!inputs.checkpoint) throw new Error(`method '${params.method}' expected the checkpoint input, received none (pass \`checkpoint: x.data('checkpoints/…')\`)`);
        report = params.method === 'torch' ? await loadTorch(tf, inputs.checkpoint, workDir, { gA, gB }) : await loadGenerators(tf, inputs.checkpoint, { gA, gB });
      }
      for (const [name, g] of [['G_A', gA], ['G_B', gB]] as const) {
        await exportGenerator(tf, g, join(outputs.weights, name));
        const entry = report.generators[name];
        log.info(`${name}: ${entry.source}; ${entry.loaded} tensors loaded${entry.reinitialised.length > 0 ? `, seeded init kept for ${entry.reinitialised.join(', ')}` : ''}`);
      }
      await writeFile(join(outputs.weights, 'transfer.json'), `${JSON.stringify(report, null, 2)}\n`);
      return {
        metrics: {
          transfer: {
            method: params.method,
            loadedA: report.generators.G_A.loaded,
            reinitialisedA: report.generators.G_A.reinitialised.length,
            loadedB: report.generators.G_B.loaded,
            reinitialisedB: report.generators.G_B.reinitialised.length,
          },
        },
        plots: { losses },
      };
    } finally {
      disposeWeights(gA);
      disposeWeights(gB);
    }
  },
});

type Generators = { readonly gA: GeneratorWeights; readonly gB: GeneratorWeights };

/** `*net_G_A.pth` / `*net_G_B.pth` (or one `.pth` for G_A alone), converted and transferred. */
async function loadTorch(tf: Tf, folder: string, workDir: string, generators: Generators): Promise<TransferReport> {
  const files = (await readdir(folder)).filter((f) => f.endsWith('.pth')).sort();
  const pick = (suffix: string) => files.find((f) => f.endsWith(`${suffix}.pth`));
  const sources = { G_A: pick('net_G_A') ?? (files.length === 1 ? files[0] : undefined), G_B: pick('net_G_B') };
  if (!sources.G_A) {
    throw new Error(`checkpoint folder '${folder}' expected '*net_G_A.pth' (and '*net_G_B.pth') or a single .pth, received ${files.length === 0 ? 'no .pth file' : files.join(', ')}`);
  }
  const report: TransferReport = { method: 'torch', generators: {} as TransferReport['generators'] };
  for (const [name, weights] of [['G_A', generators.gA], ['G_B', generators.gB]] as const) {
    const file = sources[name];
    if (!file) {
      report.generators[name] = { source: 'seeded init (no checkpoint for it)', loaded: 0, reinitialised: ['all'] };
      continue;
    }
    const converted = join(workDir, `converted-${name}`);
    await convertTorchCheckpoint(join(folder, file), converted);
    report.generators[name] = { ...(await transferFrom(tf, converted, weights)), source: file };
  }
  return report;
}

/** `G_A/` and `G_B/` generator folders (or one folder for G_A), from an export or the converter. */
async function loadGenerators(tf: Tf, folder: string, generators: Generators): Promise<TransferReport> {
  const entries = new Set(await readdir(folder));
  const report: TransferReport = { method: 'tfjs', generators: {} as TransferReport['generators'] };
  for (const [name, weights] of [['G_A', generators.gA], ['G_B', generators.gB]] as const) {
    const source = entries.has(name) ? join(folder, name) : name === 'G_A' && entries.has(GENERATOR_JSON) ? folder : undefined;
    if (!source) {
      if (name === 'G_A') throw new Error(`weights folder '${folder}' expected G_A/${GENERATOR_JSON} (and G_B/) or ${GENERATOR_JSON}, received ${[...entries].join(', ') || 'nothing'}`);
      report.generators[name] = { source: 'seeded init (no weights for it)', loaded: 0, reinitialised: ['all'] };
      continue;
    }
    report.generators[name] = await transferFrom(tf, source, weights);
  }
  return report;
}

/** Transfers the generator files of `dir` into `weights`: what fits loads, the rest keeps the seeded init. */
async function transferFrom(tf: Tf, dir: string, weights: GeneratorWeights): Promise<TransferReport['generators']['G_A']> {
  const { tensors } = await readGeneratorWeights(tf, dir);
  try {
    const result = transferGeneratorWeights(tf, weights, tensors);
    return { source: dir, loaded: result.loaded.length, reinitialised: result.reinitialised };
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** Trains G_A/G_B on occlusion tiles of the photos (resumable in `workDir`) and loads the final ones into `generators`. */
async function pretrainOnTiles(
  tf: Tf, params: Settings, photosDir: string, workDir: string, generators: Generators, signal: AbortSignal, log: (m: string) => void,
): Promise<{ losses: Record<string, number | string>[] }> {
  const settings = params.pretrain;
  const names = await listImages(photosDir);
  if (names.length === 0) throw new Error(`expected multi-face photos in '${photosDir}', received none`);
  const photos: RawImage[] = [];
  for (const name of names) photos.push(await readRgb(join(photosDir, name), { maxSide: 1024 }));
  const tiles = await makeOcclusionTiles(photos, { size: settings.size, count: settings.tiles, scale: [0.2, 0.6], occluderScale: [0.1, 0.3] }, createRng(deriveSeed(params.seed, 'tiles')));
  const asDomain = (images: readonly RawImage[], keep?: readonly Float32Array[]): Domain => ({
    dir: photosDir,
    size: settings.size,
    names: images.map((_, i) => `tile-${i}`),
    pixels: images.map((image) => image.data),
    ...(keep ? { keep } : {}),
  });
  const phase = {
    name: 'multi-face',
    epochs: settings.epochs,
    batchSize: settings.batch,
    lr: { policy: 'linear' as const, base: settings.lr, niter: Math.ceil(settings.epochs / 2), niterDecay: Math.floor(settings.epochs / 2) },
    lambdas: { cycleA: 10, cycleB: 10, identity: 0.5, nmc: settings.nmc, nmcStartEpoch: 1, attention: 0 },
  };
  const data = { a: asDomain(tiles.a, tiles.keepA), b: asDomain(tiles.b), augment: { loadSize: settings.size, cropSize: settings.size, flip: true } };
  const result = await runTraining(tf, {
    network: params.network,
    phases: [phase],
    seed: params.seed,
    batches: createDomainBatchSource(tf, [data]),
    checkpointDir: join(workDir, 'checkpoints'),
    keepCheckpoints: 2,
    signal,
    log,
    onEpochEnd: async (event) => {
      log(`pretrain epoch ${event.globalEpoch}/${settings.epochs}: G ${event.losses.g_total.toFixed(3)}, NMC ${event.losses.nmc.toFixed(4)}`);
      // Exported before the final checkpoint is written, so a run killed after it still finds them.
      if (event.globalEpoch === settings.epochs) {
        await exportGenerator(tf, event.models.gA, join(workDir, 'final', 'G_A'));
        await exportGenerator(tf, event.models.gB, join(workDir, 'final', 'G_B'));
      }
    },
  });
  for (const [name, weights] of [['G_A', generators.gA], ['G_B', generators.gB]] as const) {
    const { reinitialised } = await transferFrom(tf, join(workDir, 'final', name), weights);
    if (reinitialised.length > 0) throw new Error(`pretrained ${name} expected every layer of the configured network, missing ${reinitialised.join(', ')}`);
  }
  return { losses: result.history.map((h) => ({ epoch: h.globalEpoch, ...h.losses })) };
}
