/**
 * Pasting the generator's faces inside the grown mask (paste-inside.ts): one mask pixel grown by 2 px is the
 * disc of the 13 pixels within distance 2; the composite holds the generated pixels there and the input's
 * bytes everywhere else; no growth keeps the mask as drawn.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { pasteInside, pasteMaps } from '../../src/gan/paste-inside.js';

const tf = await loadTensorflow(detectBackendKind());
const SIZE = 9;

/** A 3-channel region map with one mask pixel at (4, 4). */
const region = Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => (Math.floor(i / 3) === 4 * SIZE + 4 ? 255 : 0));

test('one mask pixel grown by 2 px is the disc of radius 2; none grown is itself', async () => {
  const grown = pasteMaps(tf, [region], SIZE, 2);
  const plain = pasteMaps(tf, [region], SIZE, 0);
  const g = await grown.data();
  const p = await plain.data();
  tf.dispose([grown, plain]);
  const expected = Array.from({ length: SIZE * SIZE }, (_, i) => ((i % SIZE) - 4) ** 2 + (Math.floor(i / SIZE) - 4) ** 2 <= 4 ? 1 : 0);
  assert.equal(Array.from(g), expected, '~> the 13 pixels within distance 2');
  assert.is(expected.filter((v) => v === 1).length, 13);
  assert.equal(Array.from(p), Array.from({ length: SIZE * SIZE }, (_, i) => (i === 4 * SIZE + 4 ? 1 : 0)), '~> the mask pixel alone');
});

test('the composite is the generated face inside, the input outside, exactly', async () => {
  const input = tf.fill([1, SIZE, SIZE, 3], -0.25) as import('@tensorflow/tfjs').Tensor4D;
  const generated = tf.fill([1, SIZE, SIZE, 3], 0.75) as import('@tensorflow/tfjs').Tensor4D;
  const inside = pasteMaps(tf, [region], SIZE, 1);
  const pasted = pasteInside(tf, generated, input, inside);
  const values = await pasted.data();
  const mask = await inside.data();
  tf.dispose([input, generated, inside, pasted]);
  for (let p = 0; p < SIZE * SIZE; p += 1) {
    for (let c = 0; c < 3; c += 1) assert.is(values[p * 3 + c], mask[p] === 1 ? 0.75 : -0.25, `~> pixel ${p} channel ${c}`);
  }
});

test.run();
