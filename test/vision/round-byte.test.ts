/**
 * `roundByte` against `min(255, max(0, Math.round(v)))` on the values where a fast rounding goes wrong:
 * halves and their float neighbours at every byte, 0.5 − 2⁻⁵⁴ (whose + 0.5 rounds up to 1), negatives,
 * NaN, infinities, and a seeded sweep.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng } from '../../src/kit/prng.js';
import { roundByte } from '../../src/vision/round-byte.js';

const reference = (v: number): number => {
  const r = Math.min(255, Math.max(0, Math.round(v)));
  return Number.isNaN(r) ? 0 : r + 0; // + 0 turns −0 into 0, as a typed-array store does
};

/** The next double above (dir 1) or below (dir −1) a positive finite `v`. */
function nextDouble(v: number, dir: 1 | -1): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(dir));
  return view.getFloat64(0);
}

test('equals Math.round clamped to a byte at every half and its neighbours', () => {
  for (let k = 0; k <= 256; k += 1) {
    for (const base of [k, k + 0.5]) {
      if (base === 0) continue;
      for (const v of [base, nextDouble(base, 1), nextDouble(base, -1)]) assert.is(roundByte(v), reference(v), `~> ${v}`);
    }
  }
  assert.is(roundByte(0.49999999999999994), 0, '~> 0.5 − 2⁻⁵⁴ rounds down, though + 0.5 gives 1');
});

test('clamps and zeroes what is not a byte', () => {
  for (const v of [0, -0, -0.4, -0.5, -0.6, -3, -Infinity, NaN, 254.49, 254.5, 255, 255.6, 1e9, Infinity]) {
    assert.is(roundByte(v), reference(v), `~> ${v}`);
  }
});

test('a seeded sweep over −10..270 agrees everywhere', () => {
  const rng = createRng(7);
  for (let i = 0; i < 200_000; i += 1) {
    const v = -10 + 280 * rng.next();
    assert.is(roundByte(v), reference(v), `~> ${v}`);
  }
});

test.run();
