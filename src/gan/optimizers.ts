/**
 * The two Adam optimisers of CycleGAN-style training (MODEL.md §2.4, §3): one for G_A ∪ G_B, one for
 * D_A ∪ D_B, with lr 2e-4, β1 0.5, β2 0.999 and epsilon passed explicitly as 1e-8 (PyTorch's value; tfjs
 * would otherwise pick a backend-dependent one). The learning rate is set per epoch by the schedule. For
 * checkpoints the full state is exported and imported: the iteration count, both moment tensors of every
 * variable, and the running powers β1^t, β2^t. tfjs keeps moments by POSITION in the variable list (named
 * `<variable>/m` and `/v` only for saving), so every network must have its own scope and the same var list
 * must be passed, in the same order, on every step; the importer checks the names. NOTE: tfjs's own
 * `setWeights` recomputes β^t as pow(β, t + 1), which can differ from the product the optimiser accumulates
 * in float32 by an ulp; we restore the accumulated values themselves so a resumed run is bit-identical.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';

/** Adam settings. */
export interface AdamSettings {
  /** @default 2e-4 */
  readonly learningRate: number;
  /** @default 0.5 */
  readonly beta1: number;
  /** @default 0.999 */
  readonly beta2: number;
  /** @default 1e-8 */
  readonly epsilon: number;
}

/** The reference settings. */
export const REFERENCE_ADAM: AdamSettings = { learningRate: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 };

/** One optimiser per side of the game. */
export interface GanOptimizers {
  /** Updates G_A ∪ G_B. */
  readonly g: tfjs.AdamOptimizer;
  /** Updates D_A ∪ D_B. */
  readonly d: tfjs.AdamOptimizer;
}

/** Everything an Adam optimiser carries between steps; the caller owns the tensors. */
export interface OptimizerState {
  /** Steps taken. */
  readonly iterations: number;
  /** β1^t and β2^t as accumulated (float32). */
  readonly accBeta1: number;
  readonly accBeta2: number;
  /** First moments then second moments, `<variable>/m` … `<variable>/v`, in var-list order; empty before the first step. */
  readonly moments: readonly { readonly name: string; readonly tensor: tfjs.Tensor }[];
}

/** What tfjs keeps privately in an AdamOptimizer (tfjs-core 4.22). */
interface AdamInternals {
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  incrementIterations(): void;
  accBeta1: tfjs.Variable;
  accBeta2: tfjs.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tfjs.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tfjs.Variable }[];
}

/** One Adam optimiser with the reference settings unless overridden. */
export function createAdam(tf: Tf, settings: Partial<AdamSettings> = {}): tfjs.AdamOptimizer {
  const { learningRate, beta1, beta2, epsilon } = { ...REFERENCE_ADAM, ...settings };
  return tf.train.adam(learningRate, beta1, beta2, epsilon);
}

/** The G and D optimisers. */
export function createGanOptimizers(tf: Tf, settings: Partial<AdamSettings> = {}): GanOptimizers {
  return { g: createAdam(tf, settings), d: createAdam(tf, settings) };
}

/** Frees both optimisers' moments. */
export function disposeGanOptimizers(optimizers: GanOptimizers): void {
  optimizers.g.dispose();
  optimizers.d.dispose();
}

/**
 * One Adam update of `variables` by `gradients` (same order), the arithmetic of tfjs-core 4.22's
 * `AdamOptimizer.applyGradients` (moments, β powers and iteration count bit-identical), but each variable's
 * update runs in its own tidy and its gradient is freed right after: tfjs keeps every variable's ~10
 * temporaries until the last one is done, ~14× the weights at peak (1.3 GB for the two generators). Frees
 * `gradients`. NOTE: the bias corrections 1 − β^t are computed in float64 from the step count, as PyTorch
 * does, not as tfjs does, 1 − (its float32 product β^t): float32 holds 0.999 as 0.99900001287, so over the
 * first hundreds of steps tfjs's 1 − β2^t is ~1.3e-5 too small and each step ~6.5e-6 too short, a systematic
 * drift that took the port 1e-6 → 4e-3 (losses, 20 steps, ngf 2) off the PyTorch reference where torch float32
 * and float64 agree to 3e-7 (bench/step-equivalence.ts). β^t is still accumulated, for checkpoints; a resumed
 * run gets the same corrections from the restored iteration count.
 */
export function applyAdam(tf: Tf, optimizer: tfjs.AdamOptimizer, variables: readonly tfjs.Variable[], gradients: readonly tfjs.Tensor[]): void {
  const inner = internals(optimizer);
  if (gradients.length !== variables.length) {
    throw new RangeError(`applyAdam expected one gradient per variable (${variables.length}), received ${gradients.length}`);
  }
  const t = optimizer.iterations + 1;                                           // this step, 1-based
  const [oneMinusAccBeta1, oneMinusAccBeta2] = [tf.scalar(1 - inner.beta1 ** t), tf.scalar(1 - inner.beta2 ** t)];
  try {
    variables.forEach((value, i) => {
      const gradient = gradients[i]!;
      inner.accumulatedFirstMoment[i] ??= { originalName: `${value.name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      inner.accumulatedSecondMoment[i] ??= { originalName: `${value.name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const firstMoment = inner.accumulatedFirstMoment[i]!.variable;
      const secondMoment = inner.accumulatedSecondMoment[i]!.variable;
      tf.tidy(() => {
        const newFirstMoment = tf.add(tf.mul(firstMoment, inner.beta1), tf.mul(gradient, 1 - inner.beta1));
        const newSecondMoment = tf.add(tf.mul(secondMoment, inner.beta2), tf.mul(tf.square(gradient), 1 - inner.beta2));
        const biasCorrectedFirstMoment = tf.div(newFirstMoment, oneMinusAccBeta1!);
        const biasCorrectedSecondMoment = tf.div(newSecondMoment, oneMinusAccBeta2!);
        firstMoment.assign(newFirstMoment);
        secondMoment.assign(newSecondMoment);
        value.assign(tf.add(tf.mul(tf.div(biasCorrectedFirstMoment, tf.add(tf.sqrt(biasCorrectedSecondMoment), inner.epsilon)), -inner.learningRate), value));
      });
      gradient.dispose();
    });
    tf.tidy(() => {
      inner.accBeta1.assign(tf.mul(inner.accBeta1, inner.beta1));
      inner.accBeta2.assign(tf.mul(inner.accBeta2, inner.beta2));
    });
    inner.incrementIterations();
  } finally {
    tf.dispose([oneMinusAccBeta1!, oneMinusAccBeta2!, ...gradients]);
  }
}

/** Sets the rate used by the next steps. */
export function setLearningRate(optimizer: tfjs.AdamOptimizer, learningRate: number): void {
  if (!Number.isFinite(learningRate) || learningRate < 0) {
    throw new RangeError(`setLearningRate expected a finite rate >= 0, received ${String(learningRate)}`);
  }
  internals(optimizer).learningRate = learningRate;
}

/** The rate the next step will use. */
export function getLearningRate(optimizer: tfjs.AdamOptimizer): number {
  return internals(optimizer).learningRate;
}

/** A copy of the optimiser's full state. */
export function exportOptimizerState(tf: Tf, optimizer: tfjs.AdamOptimizer): OptimizerState {
  const inner = internals(optimizer);
  const moments = [...inner.accumulatedFirstMoment, ...inner.accumulatedSecondMoment]
    .map((m) => ({ name: m.originalName, tensor: tf.clone(m.variable) }));
  return {
    iterations: optimizer.iterations,
    accBeta1: inner.accBeta1.dataSync()[0]!,
    accBeta2: inner.accBeta2.dataSync()[0]!,
    moments,
  };
}

/**
 * Loads `state` into `optimizer` (which should be fresh; any moments it has are freed). `variables` is the
 * var list the optimiser will be stepped with: the moments must be named after it, in its order. The
 * state's tensors are copied, so the caller still owns (and disposes) them.
 */
export async function importOptimizerState(
  tf: Tf, optimizer: tfjs.AdamOptimizer, state: OptimizerState, variables: readonly tfjs.Variable[],
): Promise<void> {
  if (state.moments.length > 0) {
    const expected = [...variables.map((v) => `${v.name}/m`), ...variables.map((v) => `${v.name}/v`)];
    const received = state.moments.map((m) => m.name);
    const wrong = expected.flatMap((name, i) => (received[i] === name ? [] : [`'${name}' at ${i}, received '${received[i] ?? 'nothing'}'`]));
    if (received.length !== expected.length || wrong.length > 0) {
      throw new RangeError(`optimizer state expected ${expected.length} moments named after the var list, received ${received.length}; first mismatch: ${wrong[0] ?? 'extra moments'}`);
    }
    const shapeIssue = state.moments.find((m, i) => !sameShape(m.tensor.shape, variables[i % variables.length]!.shape));
    if (shapeIssue !== undefined) {
      throw new RangeError(`optimizer moment '${shapeIssue.name}' expected the shape of its variable, received [${shapeIssue.tensor.shape.join(', ')}]`);
    }
  }
  const inner = internals(optimizer);
  tf.dispose([...inner.accumulatedFirstMoment, ...inner.accumulatedSecondMoment].map((m) => m.variable));
  inner.accumulatedFirstMoment = [];
  inner.accumulatedSecondMoment = [];
  const iterations = tf.scalar(state.iterations, 'int32');
  // NOTE: setWeights wraps each tensor in a new variable that shares (and ref-counts) its data, so the
  // caller's tensors can be disposed afterwards without touching the optimiser's moments.
  await optimizer.setWeights([{ name: 'iter', tensor: iterations }, ...state.moments.map((m) => ({ name: m.name, tensor: m.tensor }))]);
  iterations.dispose();
  tf.tidy(() => {
    inner.accBeta1.assign(tf.scalar(state.accBeta1));
    inner.accBeta2.assign(tf.scalar(state.accBeta2));
  });
}

function internals(optimizer: tfjs.AdamOptimizer): AdamInternals {
  const inner = optimizer as unknown as Partial<AdamInternals>;
  if (inner.accBeta1 === undefined || !Array.isArray(inner.accumulatedFirstMoment)) {
    throw new TypeError('expected a tfjs AdamOptimizer (tfjs-core 4.x internals), received another optimizer');
  }
  return inner as AdamInternals;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
