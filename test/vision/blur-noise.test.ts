/**
 * Blur and noise measures on synthetic planes with known answers: discs with anti-aliased edges blurred
 * by a known σ measure about √(σ² + 0.7²) (the pixel-sampling floor), whatever their contrast and with
 * grain on top; Immerkær's estimate finds the σ of added Gaussian noise; the Gaussian blur keeps a
 * plane's sum and refuses a bad σ.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng } from '../../src/kit/prng.js';
import { blurPlane, estimateBlurSigma, estimateNoiseSigma, gaussianKernel, type Plane } from '../../src/vision/blur-noise.js';
import { makeDiscPlane } from '../helpers/disc-plane.js';

const addNoise = (plane: Plane, sigma: number, seed: number): Plane => {
  const rng = createRng(seed);
  return { ...plane, data: plane.data.map((v) => v + sigma * rng.normal()) };
};

const FLOOR = 0.7;

// ---
const blur = suite('estimateBlurSigma');

blur('measures a known blur as about √(σ² + floor²), rising with σ', () => {
  const discs = makeDiscPlane();
  let previous = 0;
  for (const sigma of [0, 1, 2, 3]) {
    const got = estimateBlurSigma(blurPlane(discs, sigma, 'clamp'))!;
    const expected = Math.hypot(sigma, FLOOR);
    assert.ok(Math.abs(got.sigma - expected) < 0.25, `~> σ ${sigma}: measured ${got.sigma.toFixed(2)}, expected ≈ ${expected.toFixed(2)}`);
    assert.ok(got.sigma > previous, '~> rises with σ');
    previous = got.sigma;
  }
});

blur('does not depend on contrast', () => {
  const strong = estimateBlurSigma(blurPlane(makeDiscPlane(3, 1), 1.5, 'clamp'))!.sigma;
  const weak = estimateBlurSigma(blurPlane(makeDiscPlane(3, 0.4), 1.5, 'clamp'))!.sigma;
  assert.ok(Math.abs(strong - weak) < 0.1, `~> ${strong.toFixed(2)} vs ${weak.toFixed(2)}`);
});

blur('is not fooled by grain on a blurry picture when told the noise', () => {
  const noisy = addNoise(blurPlane(makeDiscPlane(), 2, 'clamp'), 4, 9);
  const got = estimateBlurSigma(noisy, undefined, estimateNoiseSigma(noisy)!)!.sigma;
  assert.ok(Math.abs(got - Math.hypot(2, FLOOR)) < 0.35, `~> measured ${got.toFixed(2)}`);
});

blur('counts only included pixels, and says null with too few edges', () => {
  const discs = blurPlane(makeDiscPlane(), 1, 'clamp');
  assert.is(estimateBlurSigma({ ...discs, data: new Float64Array(discs.data.length).fill(90) }), null, '~> flat');
  assert.is(estimateBlurSigma(discs, new Uint8Array(discs.data.length)), null, '~> nothing included');
});

blur.run();

// ---
const noise = suite('estimateNoiseSigma');

noise('finds the σ of Gaussian noise on a picture with edges, and next to none on a clean one', () => {
  const discs = blurPlane(makeDiscPlane(), 1, 'clamp');
  assert.ok(estimateNoiseSigma(discs)! < 0.5, `~> clean: ${estimateNoiseSigma(discs)!.toFixed(2)}`);
  for (const sigma of [2, 6]) {
    const got = estimateNoiseSigma(addNoise(discs, sigma, sigma))!;
    assert.ok(Math.abs(got - sigma) < 0.12 * sigma, `~> σ ${sigma}: measured ${got.toFixed(2)}`);
  }
});

noise.run();

// ---
const gauss = suite('blurPlane');

gauss('keeps the sum with zeros beyond the border, copies at σ 0, refuses a bad σ', () => {
  const plane: Plane = { width: 21, height: 21, data: new Float64Array(21 * 21) };
  plane.data[10 * 21 + 10] = 100;
  const blurred = blurPlane(plane, 1.5, 'zero');
  assert.ok(Math.abs(blurred.data.reduce((a, b) => a + b, 0) - 100) < 1e-9, '~> sum kept');
  assert.ok(blurred.data[10 * 21 + 10]! < 10 && blurred.data[10 * 21 + 11]! > 0, '~> spread out');
  assert.equal(blurPlane(plane, 0, 'zero').data, plane.data);
  assert.ok(Math.abs(gaussianKernel(2).reduce((a, b) => a + b, 0) - 1) < 1e-12, '~> kernel sums to 1');
  assert.throws(() => blurPlane(plane, -1, 'zero'), /sigma expected a finite number ≥ 0, received -1/);
});

gauss.run();
