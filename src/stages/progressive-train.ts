/**
 * `progressive-train`: step 2 of the paper — AttentionGAN training from fake-mask faces (domain A, with the
 * keep maps of `nonmask-tensor`) to real-mask faces (domain B), in phases the experiment declares. Each
 * phase sets its epochs, learning-rate schedule, loss weights (NMC and its start epoch, attention
 * supervision), noise injection, batch, image sizes and data refinement (drop B images by a manifest
 * score), and continues from the previous phase's full state. The full training state is checkpointed in
 * the stage's work folder every `checkpointEvery` epochs, so a killed run resumes where it stopped and
 * continues exactly as an uninterrupted one. Every epoch it renders a sample grid on a fixed probe set
 * (input, A10, output, noise samples), scores the probe (NMC error, attention IoU, noise diversity inside
 * vs outside the mask), writes TensorBoard scalars (native backend) and keeps G_A at the chosen epochs.
 */
import { cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Defaulted, defineStage, dir, FLOAT_KERNELS, GAN, file, ImageSize, NetworkSize, Noise, optional, Seed, Type, type RunParams, type Static } from '../dsl/index.js';
import { createDomainBatchSource, type PhaseData } from '../gan/domain-batches.js';
import { patchSide } from '../gan/discriminator.js';
import { probeEpoch, readQualityLog, writeQualityLog } from '../gan/epoch-probe.js';
import { writeEpochsFile, type EpochRecord } from '../gan/epochs-file.js';
import { exportGenerator, readGeneratorWeights } from '../gan/generator-weights.js';
import { runTraining, type EpochEndEvent, type TrainingPhase } from '../gan/trainer.js';
import { checkpointName } from '../gan/training-state.js';
import { loadDomain, refineDomain, type Domain } from '../gan/training-data.js';
import { createProgress, type Progress } from '../kit/progress.js';
import type { Tf } from '../kit/tf-backend.js';
import { openScalarLog } from '../kit/tensorboard.js';
import { readManifestScores } from '../vision/face-manifest.js';

const Phase = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9-]*$', description: 'phase name, shown in logs and plots' }),
    epochs: Type.Integer({ minimum: 1, maximum: 100_000 }),
    batch: Defaulted(Type.Integer({ minimum: 1, maximum: 256 }), 4),
    loadSize: Type.Ref(ImageSize),
    cropSize: Type.Ref(ImageSize),
    flip: Defaulted(Type.Boolean({ description: 'random horizontal flip (image and keep map together)' }), true),
    itemsPerEpoch: Type.Optional(Type.Integer({ minimum: 1, description: 'images per epoch; default max(|A|, |B|)' })),
    // NOTE: `lr` and `lambda` default to `{}`, which ajv then fills field by field from their own defaults.
    lr: Defaulted(
      Type.Object(
        {
          base: Defaulted(Type.Number({ exclusiveMinimum: 0 }), 2e-4),
          policy: Defaulted(Type.Union([Type.Literal('linear'), Type.Literal('constant')]), 'linear'),
          niter: Type.Optional(Type.Integer({ minimum: 0, description: "epochs at the base rate (linear policy) @default the phase's epochs" })),
          niterDecay: Defaulted(Type.Integer({ minimum: 0, description: 'epochs of linear decay towards 0 after that' }), 0),
        },
        { additionalProperties: false },
      ),
      {},
    ),
    lambda: Defaulted(
      Type.Object(
        {
          cycle: Defaulted(Type.Number({ minimum: 0, description: 'λA = λB, the cycle weight' }), 10),
          identity: Defaulted(Type.Number({ minimum: 0, description: 'λidt relative to the cycle weight; 0 = off' }), 0.5),
          nmc: Defaulted(Type.Number({ minimum: 0, description: 'non-mask-change loss weight; 0 = off' }), 0),
          nmcFromEpoch: Defaulted(Type.Integer({ minimum: 1, description: 'epoch of the phase (1-based) from which the NMC loss applies' }), 1),
          attention: Defaulted(Type.Number({ minimum: 0, description: 'attention-supervision loss weight (1−A10 vs the mask region); 0 = off' }), 0),
        },
        { additionalProperties: false },
      ),
      {},
    ),
    noise: Type.Optional(Type.Ref(Noise)),
    dropB: Type.Optional(
      Type.Array(
        Type.Object(
          {
            score: Type.String({ description: "a score of filter's manifest, e.g. 'sharpness'" }),
            below: Type.Optional(Type.Number({ description: 'drop B faces whose score is below this' })),
            above: Type.Optional(Type.Number({ description: 'drop B faces whose score is above this' })),
          },
          { additionalProperties: false },
        ),
        { description: 'data refinement: B faces dropped in this phase by their manifest scores (needs the manifestB input)' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Probe scores drawn per epoch. */
const QUALITY_PLOT = ['nmcError', 'attentionIoU', 'diversityInside', 'diversityOutside', 'collapseDead', 'collapse00', 'collapse01', 'collapse10', 'collapse11'] as const;

export const params = Type.Object({
  seed: Type.Ref(Seed),
  network: Type.Ref(NetworkSize),
  phases: Type.Array(Phase, { minItems: 1, description: 'training phases, each continuing from the previous one' }),
  poolSize: Defaulted(Type.Integer({ minimum: 0, maximum: 1000, description: 'image pool per direction' }), 50),
  checkpointEvery: Defaulted(Type.Integer({ minimum: 1, description: 'save the full training state every N epochs (resume point)' }), 1),
  keepEvery: Defaulted(Type.Integer({ minimum: 0, description: 'keep G_A in the output every N epochs; 0 = only keepEpochs and the last' }), 1),
  keepEpochs: Defaulted(Type.Array(Type.Integer({ minimum: 1 }), { description: 'epochs whose G_A is kept in the output (the paper: 313, 476)' }), []),
  probe: Defaulted(Type.Integer({ minimum: 1, maximum: 64, description: 'fixed probe images (the first of domain A by name)' }), 8),
  noiseSamples: Defaulted(Type.Integer({ minimum: 0, maximum: 8, description: 'noise samples per probe image in grids and diversity' }), 3),
});
/** The params as experiments write them. */
export type Params = Static<typeof params>;
/** One training phase as an experiment declares it. */
export type PhaseParams = Params['phases'][number];
/** The params as `run` sees them: every `Defaulted` field present. */
type Settings = RunParams<typeof params>;

export const progressiveTrain = defineStage({
  id: 'progressive-train',
  description: 'AttentionGAN fake→real mask training in phases (NMC loss, noise injection), resumable',
  params,
  inputs: {
    domainA: dir('fake-mask faces (warp output)'),
    keepMaps: dir('keep maps of domain A (nonmask-tensor output)'),
    domainB: dir('real-mask faces'),
    manifestB: optional(file({ description: "filter's manifest of domain B, for dropB rules" })),
    init: optional(dir('initial generator weights (pretrain-from-multi-face output)')),
  },
  outputs: {
    generators: dir('G_A at the kept epochs (epoch-NNNN/generator.json + .bin) and epochs.json'),
    samples: dir('one sample grid per epoch: input | A10 | output | noise samples'),
  },
  tolerance: FLOAT_KERNELS,
  resources: GAN,
  metrics: ['train'],
  plots: [
    { name: 'losses', x: 'epoch', y: ['g_total', 'gA_gan', 'gB_gan', 'cycleA', 'cycleB', 'idtA', 'idtB', 'nmc', 'attention', 'dA', 'dB'], title: 'training losses per epoch' },
    { name: 'quality', x: 'epoch', y: [...QUALITY_PLOT], title: 'probe quality per epoch' },
  ],
  packages: ['@tensorflow/tfjs-core'],
  async run({ params, inputs, outputs, workDir, logDir, log, signal, tf }) {
    const phases = params.phases;
    const largest = Math.max(...phases.map((p) => p.loadSize));
    for (const p of phases) {
      if (p.cropSize > p.loadSize || p.cropSize % 4 !== 0) {
        throw new Error(`phase '${p.name}' expected cropSize ≤ loadSize and divisible by 4, received cropSize ${p.cropSize}, loadSize ${p.loadSize}`);
      }
      if (patchSide(p.cropSize) < 1) {
        throw new Error(`phase '${p.name}' expected cropSize ≥ 24 (the discriminator's patch map is empty below that), received ${p.cropSize}`);
      }
    }
    const a = await loadDomain(inputs.domainA, { size: largest, keepMaps: { dir: inputs.keepMaps } });
    const b = await loadDomain(inputs.domainB, { size: largest });
    const scores = inputs.manifestB ? await readManifestScores(inputs.manifestB) : undefined;
    const phaseData: PhaseData[] = phases.map((p) => ({
      a,
      b: p.dropB && p.dropB.length > 0 ? refineB(b, p.dropB, scores, p.name) : b,
      augment: { loadSize: p.loadSize, cropSize: p.cropSize, flip: p.flip },
    }));
    phaseData.forEach((d, i) => log.info(`phase '${phases[i]!.name}': ${d.a.names.length} A, ${d.b.names.length} B images, ${phases[i]!.epochs} epochs`));

    const samplesDir = join(workDir, 'samples');
    const keptDir = join(workDir, 'generators');
    await mkdir(samplesDir, { recursive: true });
    await mkdir(keptDir, { recursive: true });
    const quality = await readQualityLog(workDir);
    const probeCount = Math.min(params.probe, a.names.length);
    const keepEpochs = new Set(params.keepEpochs);
    const keepEvery = params.keepEvery;
    const totalEpochs = phases.reduce((sum, p) => sum + p.epochs, 0);
    const isKept = (epoch: number) => epoch === totalEpochs || keepEpochs.has(epoch) || (keepEvery > 0 && epoch % keepEvery === 0);
    const scalars = openScalarLog(tf, logDir);
    let progress: Progress | undefined;

    const onEpochEnd = async (event: EpochEndEvent) => {
      progress?.finish();
      const phase = phases[event.phaseIndex]!;
      const metrics = await probeEpoch(tf, event.models.gA, a, {
        count: probeCount, cropSize: phase.cropSize, noise: phase.noise, samples: params.noiseSamples, seed: params.seed,
        gridPath: join(samplesDir, `${checkpointName(event.globalEpoch)}.png`),
      });
      quality.set(event.globalEpoch, metrics);
      await writeQualityLog(workDir, quality);
      if (isKept(event.globalEpoch)) await exportGenerator(tf, event.models.gA, join(keptDir, checkpointName(event.globalEpoch)));
      for (const [key, value] of Object.entries(event.losses)) scalars.scalar(`loss/${key}`, value, event.globalEpoch);
      for (const [key, value] of Object.entries(metrics)) scalars.scalar(`probe/${key}`, value, event.globalEpoch);
      scalars.scalar('lr', event.learningRate, event.globalEpoch);
      scalars.flush();
      log.info(`epoch ${event.globalEpoch}/${totalEpochs} (${phase.name}): G ${event.losses.g_total.toFixed(3)}, D_A ${event.losses.dA.toFixed(3)}, D_B ${event.losses.dB.toFixed(3)}, NMC error ${metrics.nmcError.toFixed(4)}, IoU ${metrics.attentionIoU.toFixed(3)}`);
    };

    const init = inputs.init ? await readInitialGenerators(tf, inputs.init) : undefined;
    let result;
    try {
      result = await runTraining(tf, {
        network: params.network,
        phases: phases.map(toTrainingPhase),
        seed: params.seed,
        poolSize: params.poolSize,
        batches: createDomainBatchSource(tf, phaseData),
        checkpointDir: join(workDir, 'checkpoints'),
        checkpointEvery: params.checkpointEvery,
        keepCheckpoints: 2,
        initialGenerators: init,
        signal,
        log: (message) => log.info(message),
        onIteration: (event) => {
          if (event.iteration === 1) progress = createProgress({ label: `epoch ${event.globalEpoch}/${totalEpochs}`, total: event.of, output: log });
          progress?.update(event.iteration);
        },
        onEpochEnd,
      });
    } finally {
      if (init) tf.dispose([...(init.gA?.values() ?? []), ...(init.gB?.values() ?? [])]);
      scalars.close();
    }

    const records: EpochRecord[] = result.history.map((h) => ({
      epoch: h.globalEpoch,
      phase: h.phase,
      learningRate: h.learningRate,
      kept: isKept(h.globalEpoch),
      noise: phases[h.phaseIndex]!.noise ?? null,
      losses: round({ ...h.losses }),
      quality: round({ ...(quality.get(h.globalEpoch) ?? {}) }),
    }));
    await writeEpochsFile(keptDir, { network: params.network, epochs: records });
    await moveInto(keptDir, outputs.generators);
    await moveInto(samplesDir, outputs.samples);
    const last = records[records.length - 1]!;
    return {
      // NOTE: whether the run was resumed is logged, not reported: a resumed run's results equal an uninterrupted one's
      metrics: { train: { epochs: last.epoch, losses: last.losses, quality: last.quality } },
      plots: {
        losses: records.map((r) => ({ epoch: r.epoch, phase: r.phase, lr: r.learningRate, ...r.losses })),
        quality: records.map((r) => ({ epoch: r.epoch, phase: r.phase, ...pick(r.quality, QUALITY_PLOT) })),
      },
    };
  },
});

/** One phase as `run` sees it, defaults applied. */
type Phase = Settings['phases'][number];

function toTrainingPhase(p: Phase): TrainingPhase {
  return {
    name: p.name,
    epochs: p.epochs,
    batchSize: p.batch,
    itemsPerEpoch: p.itemsPerEpoch,
    lr: { policy: p.lr.policy, base: p.lr.base, niter: p.lr.niter ?? p.epochs, niterDecay: p.lr.niterDecay },
    lambdas: { cycleA: p.lambda.cycle, cycleB: p.lambda.cycle, identity: p.lambda.identity, nmc: p.lambda.nmc, nmcStartEpoch: p.lambda.nmcFromEpoch, attention: p.lambda.attention },
    noise: p.noise,
  };
}

/** Pretrained G_A / G_B from a `pretrain-from-multi-face` output folder. */
async function readInitialGenerators(tf: Tf, folder: string) {
  const gA = (await readGeneratorWeights(tf, join(folder, 'G_A'))).tensors;
  const gB = (await readGeneratorWeights(tf, join(folder, 'G_B'))).tensors;
  return { gA, gB };
}

function refineB(b: Domain, rules: NonNullable<Phase['dropB']>, scores: Map<string, Record<string, number>> | undefined, phase: string): Domain {
  if (!scores) throw new Error(`phase '${phase}' has dropB rules, which expected the manifestB input, received none`);
  return refineDomain(b, (name) => {
    const entry = scores.get(name);
    if (!entry) throw new Error(`phase '${phase}': domain B image '${name}' expected a line in manifestB, received none`);
    return rules.every((rule) => {
      const value = entry[rule.score];
      if (value === undefined) throw new Error(`phase '${phase}': dropB score '${rule.score}' expected in the manifest of '${name}', received ${Object.keys(entry).join(', ') || 'no scores'}`);
      return !(rule.below !== undefined && value < rule.below) && !(rule.above !== undefined && value > rule.above);
    });
  });
}

/** Rounds to 6 significant digits so metrics files stay readable; NaN/Infinity become null. */
function round(values: Record<string, number>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number.isFinite(v) ? Number(v.toPrecision(6)) : null]));
}

/** The same keys in every row (DVC needs that), null where a value is missing. */
function pick(values: Record<string, number | null>, keys: readonly string[]): Record<string, number | null> {
  return Object.fromEntries(keys.map((key) => [key, values[key] ?? null]));
}

/** Moves every entry of `from` into the (empty, existing) folder `to`. */
async function moveInto(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  try {
    await rename(from, to);
  } catch {
    await cp(from, to, { recursive: true });
    await rm(from, { recursive: true, force: true });
  }
}
