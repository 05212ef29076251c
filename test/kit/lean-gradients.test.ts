/**
 * Lean gradients against tfjs's own: the same value and bit-identical gradients on a small network with a
 * tensor used twice (accumulation), a custom-gradient op, a variable the loss never reaches (zero) and a
 * reflect-padded conv chain; its peak memory on a deep chain is below `tf.variableGrads`' (which keeps every
 * intermediate gradient to the end); nothing leaks, also when the loss throws.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { leanGradients } from '../../src/kit/lean-gradients.js';

const tf = await loadTensorflow(detectBackendKind());

const same = (a: tfjs.Tensor, b: tfjs.Tensor) => {
  const [x, y] = [a.dataSync(), b.dataSync()];
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
};

const lean = suite('leanGradients');

lean('~> equals tf.variableGrads bit for bit, with shared tensors, a custom op and an unreached variable', () => {
  const w1 = tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 0.3, 'float32', 1), true, 'lean_w1');
  const w2 = tf.variable(tf.randomNormal([3, 3, 4, 4], 0, 0.3, 'float32', 2), true, 'lean_w2');
  const unused = tf.variable(tf.zeros([2]), true, 'lean_unused');
  const x = tf.randomUniform([2, 8, 8, 2], -1, 1, 'float32', 3) as tfjs.Tensor4D;
  const square = tf.customGrad(((t: tfjs.Tensor, save: tfjs.GradSaveFunc) => {
    save([t]);
    return { value: tf.square(t), gradFunc: (dy: tfjs.Tensor, [s]: tfjs.Tensor[]) => tf.mul(dy, tf.mul(2, s!)) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const loss = () => {
    const h = tf.relu(tf.conv2d(tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], 'symmetric'), w1 as tfjs.Tensor4D, 1, 'valid'));  // [2, 8, 8, 4]
    const g = tf.conv2d(h, w2 as tfjs.Tensor4D, 1, 'same');                                                                   // [2, 8, 8, 4]
    return tf.add(tf.mean(square(tf.add(g, h)) as tfjs.Tensor), tf.mean(tf.mul(h, h))) as tfjs.Scalar;      // h used three times
  };
  const before = tf.memory().numTensors;
  const reference = tf.variableGrads(loss, [w1, w2, unused]);
  const ours = leanGradients(tf, loss, [w1, w2, unused]);
  assert.ok(same(ours.value, reference.value), '~> same value');
  assert.ok(same(ours.grads[0]!, reference.grads['lean_w1']!), '~> w1 gradient bit-identical');
  assert.ok(same(ours.grads[1]!, reference.grads['lean_w2']!), '~> w2 gradient bit-identical');
  assert.equal([...ours.grads[2]!.dataSync()], [0, 0], '~> an unreached variable gets zeros');
  tf.dispose([ours.value, ...ours.grads, reference.value, ...Object.values(reference.grads)]);
  assert.is(tf.memory().numTensors, before, '~> no tensor leaks');
  tf.dispose([w1, w2, unused, x]);
});

lean('~> on a deep chain its peak memory is below tf.variableGrads’, and a throwing loss leaks nothing', () => {
  const w = tf.variable(tf.randomNormal([3, 3, 8, 8], 0, 0.2, 'float32', 4), true, 'lean_deep') as tfjs.Variable<tfjs.Rank.R4>;
  const x = tf.randomUniform([2, 32, 32, 8], -1, 1, 'float32', 5) as tfjs.Tensor4D;
  const loss = () => {
    let h: tfjs.Tensor4D = x;
    for (let i = 0; i < 12; i += 1) h = tf.tidy(() => tf.tanh(tf.conv2d(h, w, 1, 'same')));        // [2, 32, 32, 8]; the conv output is freed
    return tf.mean(h) as tfjs.Scalar;
  };
  const engine = tf.engine() as unknown as { runKernelFunc: (p: unknown) => unknown; state: { numBytes: number } };
  const original = engine.runKernelFunc.bind(engine);
  let peak = 0;
  engine.runKernelFunc = (p: unknown) => { const r = original(p); peak = Math.max(peak, engine.state.numBytes); return r; };
  try {
    const measure = (f: () => tfjs.Tensor[]) => { peak = 0; tf.dispose(f()); return peak; };
    const stock = measure(() => { const r = tf.variableGrads(loss, [w]); return [r.value, ...Object.values(r.grads)]; });
    const ours = measure(() => { const r = leanGradients(tf, loss, [w]); return [r.value, ...r.grads]; });
    // numBytes counts each saved clone again, so the forward's share is inflated alike in both
    assert.ok(ours < 0.8 * stock, `~> peak ${ours} B vs tfjs ${stock} B`);
  } finally {
    engine.runKernelFunc = original;
  }
  const before = tf.memory().numTensors;
  assert.throws(() => leanGradients(tf, () => { tf.conv2d(x, w, 1, 'same'); throw new Error('broken loss'); }, [w]), /broken loss/);
  assert.is(tf.memory().numTensors, before, '~> no tensor leaks after a throw');
  tf.dispose([w, x]);
});

lean.run();
