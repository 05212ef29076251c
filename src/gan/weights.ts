/**
 * Seeded parameter creation shared by the generator and the discriminator: every conv kernel is drawn
 * from N(0, 0.02) and every bias is zero, as the reference `init_weights(..., 'normal', 0.02)` does. Each
 * kernel gets its own seed derived from the network seed and its position in a fixed creation order, so the
 * same seed always gives the same weights. Variables are named `<scope>/<torch module name>/kernel|bias`
 * (e.g. `G_A/conv1/kernel`), so names line up with PyTorch state-dict keys; tfjs registers variable names
 * globally, so two live networks need different scopes.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';

/** Standard deviation of the reference normal init. */
export const INIT_STD = 0.02;

/** A conv layer's trainable parameters. */
export interface ConvVariables {
  readonly kernel: tfjs.Variable<tfjs.Rank.R4>;
  readonly bias: tfjs.Variable<tfjs.Rank.R1>;
}

/** Anything that holds a flat list of its variables. */
export interface HasVariables {
  readonly variables: readonly tfjs.Variable[];
}

/** Creates variables one layer at a time, in a fixed order that decides each kernel's seed. */
export interface ConvFactory {
  /**
   * A conv layer named `module` with kernel `shape`: [kh, kw, in, out] for a conv, [kh, kw, out, in] for a
   * transposed conv (`transposed` true). The bias has `out` entries.
   */
  create(module: string, shape: readonly [number, number, number, number], transposed?: boolean): ConvVariables;
  /** Every variable created so far, in creation order. */
  readonly variables: tfjs.Variable[];
}

/** A factory whose `i`-th kernel uses seed `seed * 4096 + i + 1` (never 0, which tfjs reads as unseeded), named under `scope`. */
export function createConvFactory(tf: Tf, scope: string, seed: number): ConvFactory {
  const variables: tfjs.Variable[] = [];
  let index = 0;
  const create = (module: string, shape: readonly [number, number, number, number], transposed = false): ConvVariables => {
    const kernelSeed = (seed >>> 0) * 4096 + index + 1; // tfjs treats seed 0 as "unseeded"
    index += 1;
    const kernel = tf.tidy(() => tf.variable(tf.randomNormal<tfjs.Rank.R4>([...shape], 0, INIT_STD, 'float32', kernelSeed), true, `${scope}/${module}/kernel`));
    const bias = tf.tidy(() => tf.variable(tf.zeros<tfjs.Rank.R1>([transposed ? shape[2] : shape[3]]), true, `${scope}/${module}/bias`));
    variables.push(kernel, bias);
    return { kernel, bias };
  };
  return { create, variables };
}

/** Number of trainable scalars. */
export function countParameters(weights: HasVariables): number {
  return weights.variables.reduce((sum, v) => sum + v.size, 0);
}

/** Disposes every variable, which also frees their names for reuse. */
export function disposeWeights(weights: HasVariables): void {
  for (const v of weights.variables) v.dispose();
}
