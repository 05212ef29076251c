/**
 * A synthetic picture with known edges for blur and noise measures: a dozen discs of random contrast on
 * grey, 160×160, their edges anti-aliased by 4×4 supersampling (so "sharp" is as sharp as sampling allows).
 */
import { createRng } from '../../src/kit/prng.js';
import type { Plane } from '../../src/vision/blur-noise.js';

/** 160×160: a dozen discs of random contrast on grey, edges anti-aliased by 4×4 supersampling. */
export function makeDiscPlane(seed = 3, contrast = 1): Plane {
  const size = 160;
  const rng = createRng(seed);
  const discs = Array.from({ length: 12 }, () => ({ x: rng.range(15, 145), y: rng.range(15, 145), r: rng.range(8, 32), v: rng.range(-80, 80) * contrast }));
  const data = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let s = 0; s < 16; s++) {
        const px = x + ((s % 4) + 0.5) / 4 - 0.5;
        const py = y + (Math.floor(s / 4) + 0.5) / 4 - 0.5;
        sum += 100 + discs.reduce((v, d) => (Math.hypot(px - d.x, py - d.y) < d.r ? v + d.v : v), 0);
      }
      data[y * size + x] = sum / 16;
    }
  }
  return { width: size, height: size, data };
}

