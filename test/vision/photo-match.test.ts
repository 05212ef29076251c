/**
 * Matching a warped mask to the photo, through `warpOntoImage`'s `photoMatch`: on a blurred face the mask
 * edge comes out softer than on a sharp one (measured on the edge's steepest step) and about as soft as
 * the face; on a grainy face the mask gets grain of the face's σ, seeded; fixed σs are applied as given;
 * pixels left at coverage 0 keep their bytes; without the option nothing is measured or changed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng } from '../../src/kit/prng.js';
import { blurPlane, estimateBlurSigma, estimateNoiseSigma, type Plane } from '../../src/vision/blur-noise.js';
import type { RawImage } from '../../src/vision/types.js';
import { warpOntoImage } from '../../src/vision/warp-template.js';
import { makeDiscPlane } from '../helpers/disc-plane.js';

/** 40×40 RGBA: opaque dark blue on texels 8..31, transparent around. */
function makeTemplate(): RawImage {
  const data = new Uint8Array(40 * 40 * 4);
  for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) if (x >= 8 && x < 32 && y >= 8 && y < 32) data.set([30, 40, 90, 255], (y * 40 + x) * 4);
  return { width: 40, height: 40, channels: 4, data };
}

/** The disc plane as a grey RGB face, blurred by `sigma` and grained by `noise`. */
function makeFace(sigma: number, noise = 0, seed = 5): RawImage {
  const plane = blurPlane(makeDiscPlane(3), sigma, 'clamp');
  const rng = createRng(seed);
  const data = new Uint8Array(plane.data.length * 3);
  plane.data.forEach((v, i) => data.fill(Math.max(0, Math.min(255, Math.round(v + noise * rng.normal()))), i * 3, i * 3 + 3));
  return { width: plane.width, height: plane.height, channels: 3, data };
}

/** Template u → image 3u + 20: the mask's opaque square spans about x, y 44..113 of the 160² face. */
const H = [3, 0, 20, 0, 3, 20, 0, 0, 1] as const;
const WHOLE = { x: 0, y: 0, width: 160, height: 160 };

/** The steepest coverage step along row 80 across the mask's left edge, in coverage levels per pixel. */
function steepestEdgeStep(coverage: RawImage): number {
  let steepest = 0;
  for (let x = 20; x < 70; x++) steepest = Math.max(steepest, coverage.data[80 * 160 + x + 1]! - coverage.data[80 * 160 + x]!);
  return steepest;
}

const coveragePlane = (coverage: RawImage): Plane => ({ width: coverage.width, height: coverage.height, data: Float64Array.from(coverage.data) });

const match = suite('photoMatch');

match('a blurred face gets a softer mask edge than a sharp face, about as soft as the face', () => {
  const results = [0, 2.5].map((sigma) => {
    const face = makeFace(sigma);
    const out = warpOntoImage(face, makeTemplate(), H, { alphaThreshold: 1, photoMatch: { mode: 'measure', faceBox: WHOLE, rng: createRng(1) } });
    return { sigma, out, step: steepestEdgeStep(out.coverage), edge: estimateBlurSigma(coveragePlane(out.coverage))!.sigma };
  });
  const [sharp, blurred] = results as [(typeof results)[0], (typeof results)[0]];
  assert.is(sharp.out.photoMatch!.blurSigma, 0, '~> sharp face: no blur');
  assert.ok(blurred.out.photoMatch!.blurSigma > 2, `~> blurred face: blur ${blurred.out.photoMatch!.blurSigma}`);
  assert.ok(blurred.step < 0.5 * sharp.step, `~> steepest edge step ${blurred.step} vs ${sharp.step} levels/px`);
  const faceBlur = blurred.out.photoMatch!.face!.blur!;
  assert.ok(Math.abs(blurred.edge - faceBlur) < 0.3, `~> mask edge σ ${blurred.edge.toFixed(2)} vs face ${faceBlur}`);
});

match('grains the mask like a grainy face, seeded, and leaves a clean face clean', () => {
  const grainy = makeFace(1, 6);
  const run = (seed: number) => warpOntoImage(grainy, makeTemplate(), H, { photoMatch: { mode: 'measure', faceBox: WHOLE, rng: createRng(seed) } });
  const [one, again, other] = [run(1), run(1), run(2)];
  const noise = one.photoMatch!.noiseSigma;
  assert.ok(Math.abs(noise - 6) < 1, `~> noise σ ${noise}`);
  // The grain on the mask's flat interior, measured the same way as on the face.
  const inner: Plane = { width: 60, height: 60, data: new Float64Array(3600) };
  for (let y = 0; y < 60; y++) for (let x = 0; x < 60; x++) inner.data[y * 60 + x] = one.composite.data[((y + 50) * 160 + x + 50) * 3]!;
  const measured = estimateNoiseSigma(inner)!;
  assert.ok(Math.abs(measured - noise) < 1, `~> measured on the mask ${measured.toFixed(2)}`);
  assert.equal(one.composite.data, again.composite.data, '~> same seed, same grain');
  assert.not.equal(one.composite.data, other.composite.data, '~> other seed, other grain');
  const clean = warpOntoImage(makeFace(1), makeTemplate(), H, { photoMatch: { mode: 'measure', faceBox: WHOLE, rng: createRng(1) } });
  assert.is(clean.photoMatch!.noiseSigma, 0, '~> no grain on a clean face (its 8-bit rounding is under the minimum)');
});

match('applies fixed σs as given, and keeps every pixel at coverage 0 byte for byte', () => {
  const face = makeFace(0);
  const plain = warpOntoImage(face, makeTemplate(), H, { alphaThreshold: 1 });
  const soft = warpOntoImage(face, makeTemplate(), H, { alphaThreshold: 1, photoMatch: { mode: 'fixed', blurSigma: 2, noiseSigma: 3, rng: createRng(4) } });
  assert.equal(soft.photoMatch, { blurSigma: 2, noiseSigma: 3 });
  const touched = (r: RawImage): number => r.data.filter((v) => v > 0).length;
  assert.ok(touched(soft.region) > touched(plain.region), '~> the blurred edge reaches further');
  for (let p = 0; p < 160 * 160; p++) {
    if (soft.coverage.data[p] !== 0) continue;
    for (let c = 0; c < 3; c++) if (soft.composite.data[p * 3 + c] !== face.data[p * 3 + c]) assert.unreachable(`pixel ${p} changed`);
    if (soft.region.data[p] !== 0) assert.unreachable(`pixel ${p} in the region`);
  }
  assert.throws(() => warpOntoImage(face, makeTemplate(), H, { photoMatch: { mode: 'fixed', blurSigma: -1, noiseSigma: 0, rng: createRng(1) } }), /blurSigma expected a finite number ≥ 0, received -1/);
});

match('is off unless asked for', () => {
  const out = warpOntoImage(makeFace(2.5), makeTemplate(), H);
  assert.is(out.photoMatch, undefined);
  // Upsampled 3× bilinearly, the template's edge spans 3 px: steps of about 255/3.
  assert.ok(steepestEdgeStep(out.coverage) > 80, `~> the edge stays crisp (${steepestEdgeStep(out.coverage)})`);
});

match.run();
