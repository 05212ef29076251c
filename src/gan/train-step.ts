/**
 * One AttentionGAN training iteration (MODEL.md §2.3), and the four networks it trains. G_A maps domain A
 * (warped fake masks) to B (real masks), G_B maps back; D_A judges domain B, D_B domain A. The step runs
 * both cycles forward, takes one Adam step on G_A ∪ G_B with
 *   LSGAN(D_A(G_A(a)), 1) + LSGAN(D_B(G_B(b)), 1) + λA·L1(G_B(G_A(a)), a) + λB·L1(G_A(G_B(b)), b)
 *   + λB·λidt·L1(G_A(b), b) + λA·λidt·L1(G_B(a), a) + λNMC·NMC(G_A(a), a, N_a) + λatt·Att(A_10 of G_A(a), N_a),
 * then one Adam step on D_A ∪ D_B with 0.5·[MSE(D(real), 1) + MSE(D(pool(fake)), 0)] for each D, where the
 * fakes are the G outputs of this iteration's forward pass (before the G update, as the reference's
 * detached `fake_B`) passed through the history pools. Noise (when a spec is given) is drawn for every
 * generator call with a seed derived from (seed, global step, call), so a step is reproducible. The
 * returned losses are plain numbers: each term UNWEIGHTED (so nmc is comparable across λ), `g_total` the
 * weighted sum that was minimised; a term that is switched off or has no keep map reports 0.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { leanGradients } from '../kit/lean-gradients.js';
import { deriveSeed } from '../kit/prng.js';
import type { UnitMode } from './conv-unit.js';
import { createDiscriminatorWeights, runDiscriminator, type DiscriminatorWeights } from './discriminator.js';
import { createGeneratorWeights, decoderSettings, runGenerator, type AttentionActivation, type ContentMode, type GeneratorWeights, type RunGeneratorOptions, type Upsample } from './generator.js';
import type { ImagePool } from './image-pool.js';
import { attentionLoss, l1Loss, lsganLoss, nmcLoss } from './losses.js';
import type { NoiseSpec } from './noise.js';
import { applyAdam, type GanOptimizers } from './optimizers.js';
import { disposeWeights } from './weights.js';

/** Variable scopes of the four networks; optimiser moments and checkpoints are keyed by them. */
export const NETWORK_SCOPES = { gA: 'G_A', gB: 'G_B', dA: 'D_A', dB: 'D_B' } as const;
export type NetworkKey = keyof typeof NETWORK_SCOPES;

/** Sizes of the networks (the reference: ngf 64, 9 blocks, ndf 64). */
export interface NetworkConfig {
  readonly ngf: number;
  readonly blocks: number;
  readonly ndf: number;
  /** the generators' decoder upsampling @default 'deconv' */
  readonly upsample?: Upsample;
  /** the generators' attention decoder activation @default 'relu' */
  readonly attentionActivation?: AttentionActivation;
  /** the generators' initial background attention A10 @default 0.1 (the reference's init) */
  readonly attentionPrior?: number;
  /** the generators' content candidates: painted directly, or a change on the input @default 'direct' */
  readonly content?: ContentMode;
}

/** The four networks. */
export interface GanModels {
  /** A → B, the translator we keep. */
  readonly gA: GeneratorWeights;
  /** B → A, for the cycle. */
  readonly gB: GeneratorWeights;
  /** Judges domain B (real b vs G_A(a)). */
  readonly dA: DiscriminatorWeights;
  /** Judges domain A (real a vs G_B(b)). */
  readonly dB: DiscriminatorWeights;
}

/** The history pools of generated images. */
export interface GanPools {
  /** G_B outputs (domain A), shown to D_B. */
  readonly fakeA: ImagePool;
  /** G_A outputs (domain B), shown to D_A. */
  readonly fakeB: ImagePool;
}

/** Loss weights of one step. */
export interface StepLambdas {
  /** λA, cycle A → B → A. @default 10 */
  readonly cycleA: number;
  /** λB, cycle B → A → B. @default 10 */
  readonly cycleB: number;
  /** λidt, relative identity weight; 0 skips the identity passes. @default 0.5 */
  readonly identity: number;
  /** λNMC; needs keep maps. 0 turns it off. */
  readonly nmc: number;
  /** λatt, background-attention supervision; needs keep maps. 0 turns it off. */
  readonly attention: number;
}

/** The reference weights, with the project's additions off. */
export const REFERENCE_LAMBDAS: StepLambdas = { cycleA: 10, cycleB: 10, identity: 0.5, nmc: 0, attention: 0 };

/** One batch: images in [−1, 1] and, optionally, a's keep maps (1 = may not change). */
export interface TrainingBatch {
  /** Domain A images, [B, H, W, 3]. */
  readonly a: tfjs.Tensor4D;
  /** Domain B images, [B', H, W, 3]. */
  readonly b: tfjs.Tensor4D;
  /** Keep maps of a, [B, H, W, 1]. */
  readonly keepA?: tfjs.Tensor4D | undefined;
}

/** What one step needs besides the networks and data. */
export interface TrainStepOptions {
  readonly lambdas: StepLambdas;
  /** Noise on both generators' content branches during training. */
  readonly noise?: NoiseSpec | undefined;
  /** The run seed; noise seeds derive from it. */
  readonly seed: number;
  /** 0-based iteration count across the whole run. */
  readonly globalStep: number;
  /** Layer implementation (generator.ts `units`). @default 'fused' */
  readonly units?: UnitMode | undefined;
}

/** Loss terms of one step, as numbers. */
export interface StepLosses {
  readonly gA_gan: number;
  readonly gB_gan: number;
  readonly cycleA: number;
  readonly cycleB: number;
  readonly idtA: number;
  readonly idtB: number;
  readonly nmc: number;
  readonly attention: number;
  readonly g_total: number;
  readonly dA: number;
  readonly dB: number;
}

/** The loss keys in report order. */
export const LOSS_KEYS = ['gA_gan', 'gB_gan', 'cycleA', 'cycleB', 'idtA', 'idtB', 'nmc', 'attention', 'g_total', 'dA', 'dB'] as const satisfies readonly (keyof StepLosses)[];

/** The four networks, each seeded from `seed` and its scope. */
export function createGanModels(tf: Tf, config: NetworkConfig, seed: number): GanModels {
  const generator = (key: 'gA' | 'gB') => createGeneratorWeights(tf, {
    ngf: config.ngf, blocks: config.blocks, seed: deriveSeed(seed, NETWORK_SCOPES[key]), scope: NETWORK_SCOPES[key], ...decoderSettings(config),
  });
  const discriminator = (key: 'dA' | 'dB') => createDiscriminatorWeights(tf, {
    ndf: config.ndf, seed: deriveSeed(seed, NETWORK_SCOPES[key]), scope: NETWORK_SCOPES[key],
  });
  const gA = generator('gA');
  const gB = generator('gB');
  return { gA, gB, dA: discriminator('dA'), dB: discriminator('dB') };
}

/** Frees every network's variables (and their names). */
export function disposeGanModels(models: GanModels): void {
  for (const key of ['gA', 'gB', 'dA', 'dB'] as const) disposeWeights(models[key]);
}

/** The G optimiser's var list: G_A's then G_B's variables. */
export function generatorVariables(models: GanModels): tfjs.Variable[] {
  return [...models.gA.variables, ...models.gB.variables];
}

/** The D optimiser's var list: D_A's then D_B's variables. */
export function discriminatorVariables(models: GanModels): tfjs.Variable[] {
  return [...models.dA.variables, ...models.dB.variables];
}

/** One G step and one D step; returns every loss term. Leaves no tensors behind. */
export function trainStep(
  tf: Tf, models: GanModels, optimizers: GanOptimizers, pools: GanPools, batch: TrainingBatch, options: TrainStepOptions,
): StepLosses {
  const { a, b, keepA } = batch;
  const { lambdas } = options;
  if (keepA !== undefined && (keepA.shape[0] !== a.shape[0] || keepA.shape[1] !== a.shape[1] || keepA.shape[2] !== a.shape[2] || keepA.shape[3] !== 1)) {
    throw new RangeError(`trainStep expected keepA [${a.shape[0]}, ${a.shape[1]}, ${a.shape[2]}, 1] matching a, received [${keepA.shape.join(', ')}]`);
  }
  const units = options.units ?? 'fused';
  const call = (name: string): RunGeneratorOptions => (options.noise === undefined ? { units } : {
    units, noise: options.noise, noiseSeed: deriveSeed(options.seed, 'noise', options.globalStep, name) || 1,
  });
  const judge = (d: DiscriminatorWeights, x: tfjs.Tensor4D, frozen = false) => runDiscriminator(tf, d, x, { units, frozen });
  const zero = () => tf.scalar(0);
  const terms: Partial<Record<keyof StepLosses, tfjs.Scalar>> = {};
  let fakeB: tfjs.Tensor4D | undefined;
  let fakeA: tfjs.Tensor4D | undefined;

  try {
    // G step: G_A ∪ G_B, Ds only evaluated
    const gTotal = minimize(tf, optimizers.g, () => {
      const forward = runGenerator(tf, models.gA, a, call('G_A(a)'));          // fake B: [B, H, W, 3]
      const recA = runGenerator(tf, models.gB, forward.output, call('G_B(G_A(a))')).output; // [B, H, W, 3]
      const backward = runGenerator(tf, models.gB, b, call('G_B(b)'));         // fake A: [B', H, W, 3]
      const recB = runGenerator(tf, models.gA, backward.output, call('G_A(G_B(b))')).output; // [B', H, W, 3]

      const gA_gan = lsganLoss(tf, judge(models.dA, forward.output, true), 1);
      const gB_gan = lsganLoss(tf, judge(models.dB, backward.output, true), 1);
      const cycleA = l1Loss(tf, recA, a);
      const cycleB = l1Loss(tf, recB, b);
      let total = tf.addN([gA_gan, gB_gan, tf.mul(cycleA, lambdas.cycleA), tf.mul(cycleB, lambdas.cycleB)]);
      let idtA = zero();
      let idtB = zero();
      if (lambdas.identity > 0) {
        idtA = l1Loss(tf, runGenerator(tf, models.gA, b, call('G_A(b)')).output, b);
        idtB = l1Loss(tf, runGenerator(tf, models.gB, a, call('G_B(a)')).output, a);
        total = tf.addN([total, tf.mul(idtA, lambdas.cycleB * lambdas.identity), tf.mul(idtB, lambdas.cycleA * lambdas.identity)]);
      }
      let nmc = zero();
      let attention = zero();
      if (keepA !== undefined) {
        // reported even when λ = 0: the NMC error is also a selection metric (MODEL.md §7)
        nmc = nmcLoss(tf, forward.output, a, keepA);
        attention = attentionLoss(tf, forward.attention, keepA);
        if (lambdas.nmc > 0) total = tf.add(total, tf.mul(nmc, lambdas.nmc));
        if (lambdas.attention > 0) total = tf.add(total, tf.mul(attention, lambdas.attention));
      }
      const parts = { gA_gan, gB_gan, cycleA, cycleB, idtA, idtB, nmc, attention };
      for (const [key, value] of Object.entries(parts)) terms[key as keyof StepLosses] = tf.keep(value);
      fakeB = tf.keep(forward.output);
      fakeA = tf.keep(backward.output);
      return total as tfjs.Scalar;
    }, generatorVariables(models));
    terms.g_total = gTotal;

    // D step: D_A ∪ D_B on real images and pooled fakes
    const pooledB = pools.fakeB.query(fakeB!);                                 // [B, H, W, 3]
    const pooledA = pools.fakeA.query(fakeA!);                                 // [B', H, W, 3]
    try {
      tf.dispose(minimize(tf, optimizers.d, () => {
        const dA = tf.mul(0.5, tf.add(lsganLoss(tf, judge(models.dA, b), 1), lsganLoss(tf, judge(models.dA, pooledB), 0))) as tfjs.Scalar;
        const dB = tf.mul(0.5, tf.add(lsganLoss(tf, judge(models.dB, a), 1), lsganLoss(tf, judge(models.dB, pooledA), 0))) as tfjs.Scalar;
        terms.dA = tf.keep(dA);
        terms.dB = tf.keep(dB);
        return tf.add(dA, dB) as tfjs.Scalar;
      }, discriminatorVariables(models)));
    } finally {
      tf.dispose([pooledA, pooledB]);
    }

    const values = tf.tidy(() => tf.stack(LOSS_KEYS.map((key) => terms[key]!)).dataSync());
    return Object.fromEntries(LOSS_KEYS.map((key, i) => [key, values[i]!])) as unknown as StepLosses;
  } finally {
    tf.dispose([...Object.values(terms), ...(fakeA === undefined ? [] : [fakeA]), ...(fakeB === undefined ? [] : [fakeB])]);
  }
}

/**
 * `optimizer.minimize(f, true, varList)` as PyTorch spends memory: gradients that free the tape as they go
 * (kit/lean-gradients.ts) and an Adam update that frees each variable's temporaries and gradient in turn.
 * Returns the cost; the caller disposes it.
 */
function minimize(tf: Tf, optimizer: tfjs.AdamOptimizer, f: () => tfjs.Scalar, variables: readonly tfjs.Variable[]): tfjs.Scalar {
  const { value, grads } = leanGradients(tf, f, variables);
  applyAdam(tf, optimizer, variables, grads);
  return value;
}
