/**
 * Step equivalence with the PyTorch reference (issue 11, item 3): replays a recording of K training steps
 * (`step-recording.ts`, made by bench/torch/step_equivalence.py) from its initial weights, on its batches, with
 * `trainStep`, the reference lambdas, `createGanOptimizers` and image pools of size 0 (pass-through, so nothing
 * random happens after the init), and compares each step's loss terms and the final weights. Measures: per loss
 * term and step |l − l_ref| / |l_ref|; per variable max|w − w_ref| / max|w_ref| (the variable's own scale, so
 * elements near zero do not blow the ratio up), and, for information, the same difference over the largest
 * change the reference made to that variable in K steps. Goals: 1e-3 for both.
 * NOTE: the bias of a conv that feeds an instance norm (generator conv1–3, the residual convs, deconv1/2 of both
 * decoders; discriminator layers flagged `norm`) has an exactly zero true gradient, because the norm subtracts
 * any per-channel constant; in float32 both frameworks compute rounding noise for it (~1e-7–1e-9, float64 gives
 * ~1e-16), which Adam normalises into steps of about lr with a random sign. Those biases legitimately differ by
 * up to ~K·lr, have no effect on any output, and are left out of the weight goal and reported apart, checked
 * only against the most two Adam runs can drift apart (`adamTravelBound`). No other variable is left out.
 */
import type { Tf } from '../kit/tf-backend.js';
import { createImagePool } from './image-pool.js';
import { createGanOptimizers, disposeGanOptimizers, REFERENCE_ADAM, type AdamSettings } from './optimizers.js';
import { RECORDED_LOSSES, readStepRecording, recordedImages, type LossTerms, type RecordedLoss, type StepRecording, type StepRecordingConfig, type StepRecordingFile } from './step-recording.js';
import { assignByName } from './tensor-file.js';
import { createGanModels, disposeGanModels, REFERENCE_LAMBDAS, trainStep, type GanModels, type GanPools } from './train-step.js';

/** Relative loss difference at every step and relative weight difference at the end. */
export const STEP_EQUIVALENCE_GOALS = { loss: 1e-3, weight: 1e-3 } as const;

/** K steps' losses and the weights after them, by variable name. */
export interface StepRun {
  readonly losses: readonly LossTerms[];
  readonly final: ReadonlyMap<string, Float32Array>;
}

/** A replay in this project, plus which biases feed an instance norm. */
export interface Replay extends StepRun {
  readonly normBiases: ReadonlySet<string>;
}

/** One step's losses on both sides. */
export interface StepComparison {
  /** 1-based. */
  readonly step: number;
  readonly losses: LossTerms;
  readonly reference: LossTerms;
  readonly relDiff: LossTerms;
  /** The largest relDiff of the step. */
  readonly worst: { readonly loss: RecordedLoss; readonly relDiff: number };
}

/** One variable after K steps. */
export interface WeightComparison {
  readonly name: string;
  /** max |w − w_ref|. */
  readonly maxAbsDiff: number;
  /** max |w_ref|. */
  readonly scale: number;
  /** maxAbsDiff / scale: what the weight goal applies to. */
  readonly relDiff: number;
  /** max |w_ref(K) − w(0)|: what K steps changed. */
  readonly movement: number;
  /** maxAbsDiff / movement, for information. */
  readonly relToMovement: number;
  /** A bias feeding an instance norm: zero true gradient, left out of the goal. */
  readonly normBias: boolean;
}

/** The comparison of a run with a reference recording. */
export interface StepEquivalenceReport {
  readonly config: StepRecordingConfig;
  /** What the reference ran in and on. */
  readonly reference: Pick<StepRecordingFile, 'dtype' | 'torch'>;
  readonly steps: readonly StepComparison[];
  /** Every variable, in manifest order. */
  readonly weights: readonly WeightComparison[];
  readonly worstLoss: { readonly relDiff: number; readonly step: number; readonly loss: RecordedLoss };
  /** First step (1-based) with a loss term beyond the goal; undefined when none. */
  readonly firstStepOverGoal: number | undefined;
  /** Over the variables the weight goal applies to. */
  readonly worstWeight: WeightComparison;
  /** Over the norm biases, by maxAbsDiff; undefined when the networks have none. */
  readonly worstNormBias: WeightComparison | undefined;
  /** 2 · adamTravelBound(K): the most two Adam runs can drift apart on one parameter. */
  readonly normBiasBound: number;
  /** Both goals met, and the norm biases within their bound. */
  readonly passed: boolean;
}

const TINY = 1e-30;

/** Reads the recording in `dir`, replays it with `trainStep` and compares; leaves no tensors behind. */
export async function runStepEquivalence(tf: Tf, dir: string): Promise<StepEquivalenceReport> {
  const recording = await readStepRecording(dir);
  const replay = await replayStepRecording(tf, recording);
  return compareStepRuns(recording, replay, replay.normBiases);
}

/** K `trainStep`s from the recording's initial weights on its batches, pools of size 0, reference lambdas and Adam. */
export async function replayStepRecording(tf: Tf, recording: StepRecording): Promise<Replay> {
  const { config } = recording.file;
  const models = createGanModels(tf, config, config.seed);
  const optimizers = createGanOptimizers(tf);
  const pools: GanPools = { fakeA: createImagePool(tf, 0, 1), fakeB: createImagePool(tf, 0, 2) };
  try {
    const variables = [models.gA, models.gB, models.dA, models.dB].flatMap((net) => [...net.variables]);
    const unknown = [...recording.initial.keys()].filter((name) => !variables.some((v) => v.name === name));
    if (unknown.length > 0) {
      throw new Error(`step recording '${recording.dir}' expected only the variables of ngf ${config.ngf}, ${config.blocks} blocks, ndf ${config.ndf}, received unknown ${unknown.map((n) => `'${n}'`).join(', ')}`);
    }
    const initial = new Map([...recording.initial].map(([name, values]) => [name, tf.tensor(values, shapeOf(recording, name))]));
    try {
      assignByName(variables.map((v) => ({ key: v.name, variable: v })), initial, `step recording '${recording.dir}'`);
    } finally {
      tf.dispose([...initial.values()]);
    }
    const losses: LossTerms[] = [];
    const shape: [number, number, number, number] = [config.batch, config.size, config.size, 3];
    for (let k = 0; k < config.steps; k += 1) {
      const a = tf.tensor4d(recordedImages(recording, k, 0), shape);     // [B, S, S, 3]
      const b = tf.tensor4d(recordedImages(recording, k, 1), shape);     // [B, S, S, 3]
      try {
        const step = trainStep(tf, models, optimizers, pools, { a, b }, { lambdas: REFERENCE_LAMBDAS, seed: config.seed, globalStep: k });
        losses.push(mapTerms((key) => step[key]));
      } finally {
        tf.dispose([a, b]);
      }
    }
    const final = new Map(variables.map((v) => [v.name, Float32Array.from(v.dataSync())])); // copies: the cpu backend hands out its own store
    return { losses, final, normBiases: normBiasNames(models) };
  } finally {
    pools.fakeA.dispose();
    pools.fakeB.dispose();
    disposeGanOptimizers(optimizers);
    disposeGanModels(models);
  }
}

/**
 * Compares `run` with the `reference` recording (which also gives the common start). Any two runs can be
 * compared, e.g. a float32 recording against a float64 one of the same config, to see the float32 floor.
 */
export function compareStepRuns(reference: StepRecording, run: StepRun, normBiases: ReadonlySet<string>): StepEquivalenceReport {
  const { file } = reference;
  if (run.losses.length !== file.losses.length) {
    throw new RangeError(`compareStepRuns expected ${file.losses.length} steps as the reference, received ${run.losses.length}`);
  }
  const steps = file.losses.map((ref, i): StepComparison => {
    const ours = run.losses[i]!;
    const relDiff = mapTerms((key) => Math.abs(ours[key] - ref[key]) / Math.max(Math.abs(ref[key]), TINY));
    const loss = RECORDED_LOSSES.reduce((w, key) => (!(relDiff[key] <= relDiff[w]) ? key : w), RECORDED_LOSSES[0]); // NaN counts as worst
    return { step: i + 1, losses: ours, reference: ref, relDiff, worst: { loss, relDiff: relDiff[loss] } };
  });
  const weights = file.weights.manifest.map((entry) => {
    const ours = run.final.get(entry.name);
    if (ours === undefined) throw new RangeError(`compareStepRuns expected variable '${entry.name}' in the run, found none`);
    return compareVariable(entry.name, ours, reference.initial.get(entry.name)!, reference.final.get(entry.name)!, normBiases.has(entry.name));
  });
  const worstStep = steps.reduce((w, s) => (!(s.worst.relDiff <= w.worst.relDiff) ? s : w));
  const worstLoss = { relDiff: worstStep.worst.relDiff, step: worstStep.step, loss: worstStep.worst.loss };
  const firstStepOverGoal = steps.find((s) => !(s.worst.relDiff <= STEP_EQUIVALENCE_GOALS.loss))?.step;
  const worstBy = (list: WeightComparison[], key: 'relDiff' | 'maxAbsDiff') => list.reduce<WeightComparison | undefined>((w, c) => (w === undefined || !(c[key] <= w[key]) ? c : w), undefined);
  const worstWeight = worstBy(weights.filter((w) => !w.normBias), 'relDiff')!;
  const worstNormBias = worstBy(weights.filter((w) => w.normBias), 'maxAbsDiff');
  const normBiasBound = 2 * adamTravelBound(file.config.steps);
  const passed = worstLoss.relDiff <= STEP_EQUIVALENCE_GOALS.loss && worstWeight.relDiff <= STEP_EQUIVALENCE_GOALS.weight
    && (worstNormBias === undefined || worstNormBias.maxAbsDiff <= normBiasBound);
  return {
    config: file.config, reference: { dtype: file.dtype, torch: file.torch }, steps, weights,
    worstLoss, firstStepOverGoal, worstWeight, worstNormBias, normBiasBound, passed,
  };
}

/**
 * Names of the biases whose conv feeds an instance norm, read off the networks: in the generator every conv
 * but the two output convs (deconv3_content → tanh, deconv3_attention → softmax), as `runGenerator` wires
 * them; in the discriminator the layers flagged `norm`.
 */
export function normBiasNames(models: GanModels): Set<string> {
  const names = new Set<string>();
  for (const g of [models.gA, models.gB]) {
    const normed = [g.conv1, g.conv2, g.conv3, ...g.blocks.flatMap((block) => [block.conv1, block.conv2]),
      g.deconv1Content, g.deconv2Content, g.deconv1Attention, g.deconv2Attention];
    for (const layer of normed) names.add(layer.bias.name);
  }
  for (const d of [models.dA, models.dB]) {
    for (const layer of d.layers) if (layer.norm) names.add(layer.conv.bias.name);
  }
  return names;
}

/**
 * The most `steps` Adam updates can move one parameter, whatever its gradients (eps left out, which only
 * shrinks steps): Σ_t lr·max|m̂_t|/√v̂_t, where m̂_t = Σ_i a_i g_i and v̂_t = Σ_i b_i g_i² with the bias-corrected
 * EMA weights a_i, b_i, and by Cauchy–Schwarz |m̂_t|/√v̂_t ≤ √(Σ_i a_i²/b_i). 1·lr per step at first, growing
 * to about 1.8·lr per step on average over 20 steps with β1 0.5, β2 0.999.
 */
export function adamTravelBound(steps: number, settings: AdamSettings = REFERENCE_ADAM): number {
  const { learningRate, beta1, beta2 } = settings;
  let total = 0;
  for (let t = 1; t <= steps; t += 1) {
    let sum = 0;
    for (let i = 1; i <= t; i += 1) {
      const a = ((1 - beta1) * beta1 ** (t - i)) / (1 - beta1 ** t);
      const b = ((1 - beta2) * beta2 ** (t - i)) / (1 - beta2 ** t);
      sum += (a * a) / b;
    }
    total += learningRate * Math.sqrt(sum);
  }
  return total;
}

function compareVariable(name: string, ours: Float32Array, start: Float32Array, theirs: Float32Array, normBias: boolean): WeightComparison {
  let maxAbsDiff = 0;
  let scale = 0;
  let movement = 0;
  for (let i = 0; i < theirs.length; i += 1) {
    const diff = Math.abs(ours[i]! - theirs[i]!);
    if (!(diff <= maxAbsDiff)) maxAbsDiff = diff;                            // NaN sticks
    scale = Math.max(scale, Math.abs(theirs[i]!));
    movement = Math.max(movement, Math.abs(theirs[i]! - start[i]!));
  }
  return { name, maxAbsDiff, scale, relDiff: maxAbsDiff / Math.max(scale, TINY), movement, relToMovement: maxAbsDiff / Math.max(movement, TINY), normBias };
}

function shapeOf(recording: StepRecording, name: string): number[] {
  return [...recording.file.weights.manifest.find((entry) => entry.name === name)!.shape];
}

function mapTerms(f: (key: RecordedLoss) => number): LossTerms {
  return Object.fromEntries(RECORDED_LOSSES.map((key) => [key, f(key)])) as Record<RecordedLoss, number>;
}
