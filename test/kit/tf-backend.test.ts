/**
 * The tensor backend: native TensorFlow is what this machine gets (`npm install` builds it offline), it
 * computes a small conv-net training step with the same numbers as the pure-JS backend, and it leaks no
 * tensors. Selection honours the flag, then REPRO_BACKEND, then what is installed.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ReproError } from '../../src/errors.js';
import { DETERMINISTIC_ENV, enterDeterministicMode, isDeterministic } from '../../src/kit/deterministic-mode.js';
import { applyRecordedThreads, backendKindOf, describeBackend, detectBackendKind, loadTensorflow, oneDnnEnabled, switchesOf, threadSwitchesFor, type Tf } from '../../src/kit/tf-backend.js';

/** Deterministic weights from a small LCG, so both backends start from identical numbers. */
function seededValues(count: number, seed: number, scale: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = (state / 2 ** 32 - 0.5) * 2 * scale;
  }
  return values;
}

interface StepResult {
  lossBefore: number;
  lossAfter: number;
  weights: Float32Array[];
  tensorsAfterFirst: number;
  tensorsAfterSecond: number;
}

/** conv 3→8 (3×3) → relu → conv 8→3 (3×3) on a 1×32×32×3 input, MSE, one Adam step at a time. */
async function trainSteps(tf: Tf): Promise<StepResult> {
  const w1 = tf.variable(tf.tensor4d(seededValues(3 * 3 * 3 * 8, 1, 0.3), [3, 3, 3, 8]));  // [kh, kw, in, out]
  const w2 = tf.variable(tf.tensor4d(seededValues(3 * 3 * 8 * 3, 2, 0.3), [3, 3, 8, 3]));
  const x = tf.tensor4d(seededValues(32 * 32 * 3, 3, 1), [1, 32, 32, 3]);                    // [N, H, W, C]
  const target = tf.tensor4d(seededValues(32 * 32 * 3, 4, 1), [1, 32, 32, 3]);
  const optimizer = tf.train.adam(1e-2, 0.9, 0.999, 1e-8);
  const loss = () => tf.tidy(() => {
    const hidden = tf.relu(tf.conv2d(x, w1 as never, 1, 'same'));      // [1, 32, 32, 8]
    const out = tf.conv2d(hidden, w2 as never, 1, 'same');              // [1, 32, 32, 3]
    return tf.losses.meanSquaredError(target, out) as never as import('@tensorflow/tfjs').Scalar;
  });
  const read = async (t: import('@tensorflow/tfjs').Tensor) => (await t.data())[0]!;
  const before = loss();
  const lossBefore = await read(before);
  before.dispose();
  optimizer.minimize(loss, false, [w1, w2]);
  const tensorsAfterFirst = tf.memory().numTensors;
  optimizer.minimize(loss, false, [w1, w2]);
  const tensorsAfterSecond = tf.memory().numTensors;
  const after = loss();
  const lossAfter = await read(after);
  after.dispose();
  const weights = [new Float32Array(await w1.data()), new Float32Array(await w2.data())];
  optimizer.dispose();
  tf.dispose([w1, w2, x, target]);
  return { lossBefore, lossAfter, weights, tensorsAfterFirst, tensorsAfterSecond };
}

const backend = suite('tensor backend');

backend('native TensorFlow is installed and selected here', () => {
  const previous = process.env.REPRO_BACKEND;
  delete process.env.REPRO_BACKEND;
  try {
    assert.is(detectBackendKind(), 'tensorflow');
    assert.match(describeBackend('tensorflow'), /^tensorflow \(tfjs-node \d+\.\d+\.\d+, TensorFlow \d+\.\d+\.\d+(, oneDNN)?\)$/);
  } finally {
    if (previous !== undefined) process.env.REPRO_BACKEND = previous;
  }
});

backend('describeBackend records oneDNN: on by default, off with TF_ENABLE_ONEDNN_OPTS=0', () => {
  const previous = process.env.TF_ENABLE_ONEDNN_OPTS;
  try {
    process.env.TF_ENABLE_ONEDNN_OPTS = '0';
    assert.not.match(describeBackend('tensorflow'), /oneDNN/);
    delete process.env.TF_ENABLE_ONEDNN_OPTS;
    assert.ok(oneDnnEnabled(), '~> default on');
    assert.match(describeBackend('tensorflow'), /, oneDNN\)$/);
    assert.not.match(describeBackend('wasm'), /oneDNN/);
  } finally {
    if (previous === undefined) delete process.env.TF_ENABLE_ONEDNN_OPTS;
    else process.env.TF_ENABLE_ONEDNN_OPTS = previous;
  }
});

backend('describeBackend records deterministic mode: its switches name themselves, and the default names none', () => {
  const plain = { ...process.env };
  for (const key of Object.keys(DETERMINISTIC_ENV)) delete plain[key];
  assert.not.match(describeBackend('tensorflow', plain), /deterministic|thread/);
  const deterministic = { ...plain };
  assert.equal(enterDeterministicMode(deterministic), DETERMINISTIC_ENV);
  assert.ok(isDeterministic(deterministic));
  assert.not.ok(isDeterministic(plain));
  assert.match(describeBackend('tensorflow', deterministic), /^tensorflow \(tfjs-node \d+\.\d+\.\d+, TensorFlow \d+\.\d+\.\d+, deterministic ops, 1 intra-op thread, 1 inter-op thread\)$/);
  assert.not.match(describeBackend('wasm', deterministic), /deterministic/, '~> only native TensorFlow reads the switches');
  assert.equal(switchesOf(describeBackend('tensorflow', deterministic)), DETERMINISTIC_ENV, '~> the description gives the switches back');
  assert.equal(switchesOf(describeBackend('tensorflow', { ...plain, TF_ENABLE_ONEDNN_OPTS: '1' })), { TF_ENABLE_ONEDNN_OPTS: '1' });
  assert.equal(switchesOf('wasm (tfjs-backend-wasm 4.22.0)'), {});
});

backend('a conv training step gives the pure-JS numbers on native TensorFlow, without leaks', async () => {
  const tf = await loadTensorflow('tensorflow');
  assert.is(tf.getBackend(), 'tensorflow');
  const native = await trainSteps(tf);
  await tf.setBackend('cpu');
  assert.is(tf.getBackend(), 'cpu');
  const reference = await trainSteps(tf);
  await tf.setBackend('tensorflow');
  assert.ok(Math.abs(native.lossBefore - reference.lossBefore) < 1e-5, `~> loss before ${native.lossBefore} vs ${reference.lossBefore}`);
  assert.ok(Math.abs(native.lossAfter - reference.lossAfter) < 1e-4, `~> loss after ${native.lossAfter} vs ${reference.lossAfter}`);
  assert.ok(native.lossAfter < native.lossBefore, '~> the steps lowered the loss');
  let maxDiff = 0;
  native.weights.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - reference.weights[i]![j]!)))));
  assert.ok(maxDiff < 1e-4, `~> weights after two Adam steps differ by ${maxDiff}`);
  assert.is(native.tensorsAfterSecond, native.tensorsAfterFirst, '~> a step leaks no tensors (native)');
  assert.is(reference.tensorsAfterSecond, reference.tensorsAfterFirst, '~> a step leaks no tensors (cpu)');
});

backend('selection: flag, then REPRO_BACKEND, then installed; unknown names are usage errors', () => {
  const previous = process.env.REPRO_BACKEND;
  try {
    process.env.REPRO_BACKEND = 'wasm';
    assert.is(detectBackendKind(), 'wasm');
    assert.is(detectBackendKind({ override: 'cpu' }), 'cpu', '~> the flag wins');
    process.env.REPRO_BACKEND = 'auto';
    assert.is(detectBackendKind(), 'tensorflow');
    try {
      detectBackendKind({ override: 'tpu' });
      assert.unreachable();
    } catch (error) {
      assert.instance(error, ReproError);
      assert.is((error as ReproError).code, 'USAGE');
      assert.match((error as ReproError).message, /^--backend expected one of 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu' or 'auto', received 'tpu'$/);
    }
    process.env.REPRO_BACKEND = 'bogus';
    assert.throws(() => detectBackendKind(), (error: ReproError) => /^REPRO_BACKEND expected one of .*, received 'bogus'$/.test(error.message) && /unset REPRO_BACKEND/.test(error.hint ?? ''));
  } finally {
    if (previous === undefined) delete process.env.REPRO_BACKEND;
    else process.env.REPRO_BACKEND = previous;
  }
});

backend('describeBackend and backendKindOf round-trip every kind', () => {
  for (const kind of ['tensorflow', 'wasm', 'cpu'] as const) assert.is(backendKindOf(describeBackend(kind)), kind);
  assert.throws(() => backendKindOf('quantum (v1)'), /expected to start with one of/);
});

backend('threadSwitchesFor sizes both pools to fewer declared cores; every core, more, or a set count leave TensorFlow its default', () => {
  const plain = { PATH: process.env.PATH };
  assert.equal(threadSwitchesFor(1, plain, 8), { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' });
  assert.equal(threadSwitchesFor(3, plain, 8), { TF_NUM_INTRAOP_THREADS: '3', TF_NUM_INTEROP_THREADS: '3' });
  assert.equal(threadSwitchesFor(8, plain, 8), {}, '~> as many as the machine: TensorFlow\'s own default');
  assert.equal(threadSwitchesFor(16, plain, 8), {});
  assert.equal(threadSwitchesFor('all', plain, 8), {});
  assert.equal(threadSwitchesFor(1, { ...plain, TF_NUM_INTRAOP_THREADS: '4' }, 8), {}, '~> the user\'s setting holds for every stage');
  const described = describeBackend('tensorflow', { ...plain, ...threadSwitchesFor(2, plain, 8) });
  assert.match(described, /, 2 intra-op threads, 2 inter-op threads\)$/);
  const env: NodeJS.ProcessEnv = { ...plain };
  applyRecordedThreads(described, env);
  assert.is(describeBackend('tensorflow', env), described, '~> exec sets what the fingerprint records, so the description matches');
  const userSet: NodeJS.ProcessEnv = { ...plain, TF_NUM_INTRAOP_THREADS: '5' };
  applyRecordedThreads(described, userSet);
  assert.is(userSet.TF_NUM_INTRAOP_THREADS, '5', '~> a count the environment sets is not overwritten (exec then refuses the mismatch)');
});

backend('TensorFlow sizes its pool from the switches: fewer threads in a process given one core', async () => {
  if (availableParallelism() < 2 || !existsSync('/proc/self/task')) {
    console.log('  skipped: needs 2 or more cores and /proc (Linux) to count threads');
    return;
  }
  const script = `const tf = require('@tensorflow/tfjs-node'); const a = tf.randomNormal([256, 256]);
    for (let i = 0; i < 5; i += 1) tf.matMul(a, a).dataSync();
    process.stdout.write(String(require('node:fs').readdirSync('/proc/self/task').length));`;
  const threads = async (env: Record<string, string>) => {
    const child = await execa(process.execPath, ['-e', script], { env: { TF_CPP_MIN_LOG_LEVEL: '2', ...env }, reject: false });
    const count = Number(child.stdout.trim().split('\n').at(-1));
    if (!Number.isInteger(count)) throw new Error(`expected a thread count from a TensorFlow process, received exit ${child.exitCode}: ${child.stdout}\n${child.stderr.slice(-800)}`);
    return count;
  };
  const sized = await threads(threadSwitchesFor(1, {}, availableParallelism()));
  const own = await threads({});
  assert.ok(sized < own, `~> one core: ${sized} threads in the process, TensorFlow's default: ${own}`);
});

backend.run();
