/**
 * The realistic stand-in renderer: every kind × variant renders with plausible anchors; it differs
 * visibly from the plain template; a seed fixes the picture and another seed changes it; the anchors
 * keep their places relative to one another (the canvas only grows sideways, room for the straps).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng } from '../../../src/kit/prng.js';
import { buildRealisticMaskSvg, renderRealisticTemplate } from '../../../src/vision/masks/real-mask-renderer.js';
import { renderTemplate } from '../../../src/vision/masks/render.js';
import { MASK_KINDS, TEMPLATE_VARIANTS, buildTemplateSvg } from '../../../src/vision/masks/templates.js';
import type { MaskStyle } from '../../../src/vision/masks/textures.js';
import { assertPlausibleAnchors, meanAbsDiff, opaqueFraction } from './anchor-checks.js';

const style: MaskStyle = { colour: '#9cc8e8', texture: { kind: 'nonwoven', scale: 1.4 }, shade: 0.7 };

const build = suite('buildRealisticMaskSvg');

build('keeps the plain anchors, shifted by the strap room; same height, wider canvas', () => {
  for (const kind of MASK_KINDS) {
    for (const variant of TEMPLATE_VARIANTS) {
      const plain = buildTemplateSvg(kind, variant, style);
      const real = buildRealisticMaskSvg(kind, variant, style, createRng(1));
      const label = `${kind}/${variant}`;
      assert.is(real.height, plain.height, `~> ${label} height`);
      const pad = (real.width - plain.width) / 2;
      assert.ok(pad > 50, `~> ${label} room for straps`);
      for (const key of ['a', 'b', 'c', 'd', 'e', 'f'] as const) {
        assert.equal(real.anchors[key], [plain.anchors[key][0] + pad, plain.anchors[key][1]], `~> ${label} ${key}`);
      }
    }
  }
});

build('is a function of the rng state', () => {
  const one = buildRealisticMaskSvg('cloth', 'left', style, createRng(5)).svg;
  assert.is(one, buildRealisticMaskSvg('cloth', 'left', style, createRng(5)).svg, '~> same seed');
  assert.is.not(one, buildRealisticMaskSvg('cloth', 'left', style, createRng(6)).svg, '~> other seed');
});

build.run();

// ---

const render = suite('renderRealisticTemplate');

render('renders every kind × variant as RGBA with opaque mask pixels and plausible anchors', async () => {
  for (const kind of MASK_KINDS) {
    for (const variant of TEMPLATE_VARIANTS) {
      const label = `${kind}/${variant}`;
      const { image, anchors } = await renderRealisticTemplate(kind, variant, style, createRng(2), 0.25);
      const opaque = opaqueFraction(image);
      assert.ok(opaque > 0.2 && opaque < 0.9, `~> ${label} opaque fraction ${opaque.toFixed(2)}`);
      assertPlausibleAnchors(anchors, image.width, image.height, label);
    }
  }
});

render('differs from the plain template where both are mask', async () => {
  const plain = await renderTemplate('surgical', 'frontal', style, 0.5);
  const real = await renderRealisticTemplate('surgical', 'frontal', style, createRng(3), 0.5);
  // Crop the realistic image back to the plain canvas (it only grew sideways) and compare colours.
  const pad = Math.round((real.image.width - plain.image.width) / 2);
  const cropped = new Uint8Array(plain.image.data.length);
  for (let y = 0; y < plain.image.height; y++) {
    const from = (y * real.image.width + pad) * 4;
    cropped.set(real.image.data.subarray(from, from + plain.image.width * 4), y * plain.image.width * 4);
  }
  const diff = meanAbsDiff(plain.image, { ...plain.image, data: cropped });
  assert.ok(diff > 3, `~> mean abs difference ${diff.toFixed(2)}`);
});

render('gives the same bytes for the same seed, others for another seed', async () => {
  const one = await renderRealisticTemplate('kn95', 'right', style, createRng(9), 0.4);
  const two = await renderRealisticTemplate('kn95', 'right', style, createRng(9), 0.4);
  const other = await renderRealisticTemplate('kn95', 'right', style, createRng(10), 0.4);
  assert.ok(Buffer.from(one.image.data).equals(Buffer.from(two.image.data)), '~> same seed');
  assert.ok(meanAbsDiff(one.image, other.image) > 0.3, '~> other seed');
});

render.run();
