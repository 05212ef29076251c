/**
 * Shared assertions for mask templates: anchors a..f lie within the image enlarged by 10% on every side
 * and sit in the arrangement a face has (b above e, a left of c, d left of f, a and c above d and f),
 * and an RGBA image has enough fully opaque pixels to be a mask rather than an empty canvas.
 */
import * as assert from 'uvu/assert';
import type { MaskAnchors, RawImage } from '../../../src/vision/types.js';

/** Fails unless `anchors` are inside the `width` × `height` image grown by 10% and plausibly arranged. */
export function assertPlausibleAnchors(anchors: MaskAnchors, width: number, height: number, label: string): void {
  for (const [name, [x, y]] of Object.entries(anchors)) {
    assert.ok(Number.isFinite(x) && Number.isFinite(y), `~> ${label} ${name} finite`);
    assert.ok(x >= -0.1 * width && x <= 1.1 * width, `~> ${label} ${name}.x ${x} within ${width} ± 10%`);
    assert.ok(y >= -0.1 * height && y <= 1.1 * height, `~> ${label} ${name}.y ${y} within ${height} ± 10%`);
  }
  const { a, b, c, d, e, f } = anchors;
  assert.ok(b[1] < e[1], `~> ${label} b above e`);
  assert.ok(a[0] < c[0], `~> ${label} a left of c`);
  assert.ok(d[0] < f[0], `~> ${label} d left of f`);
  for (const [upper, uName] of [[a, 'a'], [c, 'c']] as const) {
    for (const [lower, lName] of [[d, 'd'], [f, 'f']] as const) {
      assert.ok(upper[1] < lower[1], `~> ${label} ${uName} above ${lName}`);
    }
  }
}

/** The fraction of pixels of an RGBA image whose alpha is 255. */
export function opaqueFraction(image: RawImage): number {
  assert.is(image.channels, 4, '~> RGBA');
  let opaque = 0;
  for (let i = 3; i < image.data.length; i += 4) if (image.data[i] === 255) opaque++;
  return opaque / (image.width * image.height);
}

/** Mean absolute difference per byte of two images of the same size. */
export function meanAbsDiff(a: RawImage, b: RawImage): number {
  assert.equal([a.width, a.height, a.channels], [b.width, b.height, b.channels], '~> same size');
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}
