/**
 * Step equivalence with PyTorch on the committed recording (test/fixtures/step-equivalence: ngf 2, 2 blocks,
 * ndf 2, 32², batch 2, 5 steps): every loss term of every step within relative 1e-3 and every weight within
 * 1e-3 of its variable's scale at the end, except the biases feeding an instance norm, which are reported
 * apart and stay within the drift Adam allows; the replay leaves no tensors behind; one weight element off by
 * one Adam step, or one loss term off by 0.2 %, fails; the norm biases are exactly those before an instance
 * norm; the Adam travel bound is 1·lr for one step and grows with K.
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import {
  adamTravelBound, compareStepRuns, normBiasNames, runStepEquivalence, STEP_EQUIVALENCE_GOALS,
} from '../../src/gan/step-equivalence.js';
import { readStepRecording, RECORDED_LOSSES } from '../../src/gan/step-recording.js';
import { createGanModels, disposeGanModels } from '../../src/gan/train-step.js';

const tf = await loadTensorflow(detectBackendKind());
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'step-equivalence');

const tensorsBefore = tf.memory().numTensors;
const report = await runStepEquivalence(tf, FIXTURE);
const tensorsAfter = tf.memory().numTensors;

const runSuite = suite('runStepEquivalence');

runSuite('~> every loss term within relative 1e-3 at every step', () => {
  assert.is(report.steps.length, 5, '~> five steps');
  for (const step of report.steps) {
    for (const key of RECORDED_LOSSES) {
      assert.ok(step.relDiff[key] <= STEP_EQUIVALENCE_GOALS.loss, `~> step ${step.step} ${key}: ${step.losses[key]} vs torch ${step.reference[key]} (relative ${step.relDiff[key]})`);
    }
  }
  assert.is(report.firstStepOverGoal, undefined, '~> no step over the goal');
});

runSuite('~> every weight but the norm biases within 1e-3 of its scale after the last step', () => {
  const checked = report.weights.filter((w) => !w.normBias);
  assert.is(checked.length, 2 * (13 + 2) + 2 * (5 + 2), '~> per generator 13 kernels and the 2 output biases, per discriminator 5 kernels and 2 biases');
  for (const w of checked) {
    assert.ok(w.relDiff <= STEP_EQUIVALENCE_GOALS.weight, `~> ${w.name}: max |Δ| ${w.maxAbsDiff} over scale ${w.scale} = ${w.relDiff}`);
    assert.ok(w.movement > 0, `~> ${w.name} was trained`);
  }
  assert.ok(report.worstWeight.relDiff <= STEP_EQUIVALENCE_GOALS.weight, '~> worst weight');
});

runSuite('~> the norm biases are reported apart and stay within the drift Adam allows', () => {
  const biases = report.weights.filter((w) => w.normBias);
  assert.is(biases.length, 2 * 11 + 2 * 3, '~> 11 per generator, 3 per discriminator');
  assert.ok(report.worstNormBias !== undefined && report.worstNormBias.maxAbsDiff <= report.normBiasBound, `~> worst ${report.worstNormBias?.name} ${report.worstNormBias?.maxAbsDiff} <= ${report.normBiasBound}`);
  assert.ok(report.passed, '~> passed');
});

runSuite('~> leaves no tensors behind', () => {
  assert.is(tensorsAfter, tensorsBefore);
});

runSuite('~> a weight or loss off by more than the goal fails the comparison', async () => {
  const recording = await readStepRecording(FIXTURE);
  const normBiases = new Set(report.weights.filter((w) => w.normBias).map((w) => w.name));
  const losses = report.steps.map((s) => s.losses);
  assert.ok(compareStepRuns(recording, { losses, final: recording.final }, normBiases).passed, '~> torch\'s own weights pass');

  const final = new Map([...recording.final].map(([name, values]) => [name, Float32Array.from(values)]));
  const kernel = final.get('G_A/deconv3_content/kernel')!;
  kernel[7] = kernel[7]! + 2e-4;                                            // one Adam step's worth, on one element
  const nudged = compareStepRuns(recording, { losses, final }, normBiases);
  assert.is(nudged.worstWeight.name, 'G_A/deconv3_content/kernel', '~> the nudged variable is the worst');
  assert.not.ok(nudged.passed, '~> fails');

  const changed = recording.file.losses.map((l, i) => (i === 2 ? { ...l, cycleB: l.cycleB * 1.002 } : l));
  const tampered = compareStepRuns({ ...recording, file: { ...recording.file, losses: changed } }, { losses, final: recording.final }, normBiases);
  assert.equal([tampered.worstLoss.step, tampered.worstLoss.loss], [3, 'cycleB'], '~> the changed term is the worst');
  assert.is(tampered.firstStepOverGoal, 3, '~> first step over the goal');
  assert.not.ok(tampered.passed, '~> fails');
});

runSuite.run();

// ---

const normSuite = suite('normBiasNames');

normSuite('~> names exactly the biases of convs that feed an instance norm', () => {
  const models = createGanModels(tf, { ngf: 2, blocks: 2, ndf: 2 }, 1);
  try {
    const names = normBiasNames(models);
    const g = ['conv1', 'conv2', 'conv3', 'resnet_blocks.0.conv1', 'resnet_blocks.0.conv2', 'resnet_blocks.1.conv1', 'resnet_blocks.1.conv2',
      'deconv1_content', 'deconv2_content', 'deconv1_attention', 'deconv2_attention'];
    const expected = [
      ...['G_A', 'G_B'].flatMap((scope) => g.map((m) => `${scope}/${m}/bias`)),
      ...['D_A', 'D_B'].flatMap((scope) => ['model.2', 'model.5', 'model.8'].map((m) => `${scope}/${m}/bias`)),
    ];
    assert.equal([...names].sort(), expected.sort());
  } finally {
    disposeGanModels(models);
  }
});

normSuite.run();

// ---

const boundSuite = suite('adamTravelBound');

boundSuite('~> one step moves at most lr; the bound per step grows with K', () => {
  assert.ok(Math.abs(adamTravelBound(1) - 2e-4) < 1e-12, '~> 1 step: lr');
  assert.ok(adamTravelBound(5) > 5 * 2e-4 && adamTravelBound(5) < 6 * 2e-4, `~> 5 steps: ${adamTravelBound(5)}`);
  assert.ok(adamTravelBound(20) / 20 > adamTravelBound(5) / 5, '~> grows per step');
});

boundSuite.run();
