/**
 * Rendering templates with sharp: every kind × variant gives RGBA of round(size·scale) with a solid mask
 * in it and a transparent background; anchors scale with the image; the same style gives the same bytes
 * (librsvg is deterministic; a determinism check is the one place comparing bytes is the point).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rasteriseTemplate, renderTemplate } from '../../../src/vision/masks/render.js';
import { KINDS_WITH_VALVE, MASK_KINDS, TEMPLATE_VARIANTS, buildTemplateSvg } from '../../../src/vision/masks/templates.js';
import type { MaskStyle } from '../../../src/vision/masks/textures.js';
import { assertPlausibleAnchors, opaqueFraction } from './anchor-checks.js';

const style: MaskStyle = { colour: '#f0b7c6', texture: { kind: 'floral', colour: '#1f2b4f', scale: 80 }, shade: 0.6, valve: false };

const render = suite('renderTemplate');

render('renders every kind × variant as RGBA with opaque mask pixels and plausible anchors', async () => {
  for (const kind of MASK_KINDS) {
    for (const variant of TEMPLATE_VARIANTS) {
      const label = `${kind}/${variant}`;
      const styled = { ...style, valve: (KINDS_WITH_VALVE as readonly string[]).includes(kind) };
      const svg = buildTemplateSvg(kind, variant, styled);
      const { image, anchors } = await renderTemplate(kind, variant, styled, 0.25);
      assert.equal([image.width, image.height, image.channels], [Math.round(svg.width * 0.25), Math.round(svg.height * 0.25), 4], `~> ${label} size`);
      assert.is(image.data.length, image.width * image.height * 4, `~> ${label} bytes`);
      const opaque = opaqueFraction(image);
      assert.ok(opaque > 0.3 && opaque < 0.95, `~> ${label} opaque fraction ${opaque.toFixed(2)}`);
      assert.is(image.data[3], 0, `~> ${label} top-left corner transparent`);
      assertPlausibleAnchors(anchors, image.width, image.height, label);
      const b = anchors.b;
      const centre = image.data[(Math.round(anchors.e[1] * 0.5 + b[1] * 0.5) * image.width + Math.round(b[0])) * 4 + 3];
      assert.is(centre, 255, `~> ${label} opaque between b and e`);
    }
  }
});

render('scales anchors with the image', async () => {
  const valved = { ...style, valve: true };
  const svg = buildTemplateSvg('n95', 'left', valved);
  const full = await renderTemplate('n95', 'left', valved, 1);
  const half = await renderTemplate('n95', 'left', valved, 0.5);
  assert.equal([full.image.width, full.image.height], [svg.width, svg.height]);
  assert.equal(full.anchors, svg.anchors);
  for (const key of ['a', 'b', 'c', 'd', 'e', 'f'] as const) {
    assert.ok(Math.abs(half.anchors[key][0] - full.anchors[key][0] * (half.image.width / full.image.width)) < 1e-9, `~> ${key}.x`);
    assert.ok(Math.abs(half.anchors[key][1] - full.anchors[key][1] * (half.image.height / full.image.height)) < 1e-9, `~> ${key}.y`);
  }
});

render('gives the same bytes for the same style, others for another', async () => {
  const one = await renderTemplate('surgical', 'right', style, 0.5);
  const two = await renderTemplate('surgical', 'right', style, 0.5);
  assert.ok(Buffer.from(one.image.data).equals(Buffer.from(two.image.data)), '~> same bytes');
  const other = await renderTemplate('surgical', 'right', { ...style, colour: '#26365f' }, 0.5);
  assert.not.ok(Buffer.from(one.image.data).equals(Buffer.from(other.image.data)), '~> other colour');
});

render.run();

// ---

const rasterise = suite('rasteriseTemplate');

rasterise('refuses a scale that is not a positive number', async () => {
  const template = buildTemplateSvg('cloth', 'frontal', style);
  for (const scale of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    try {
      await rasteriseTemplate(template, scale);
      assert.unreachable(`~> scale ${scale}`);
    } catch (err) {
      assert.match((err as Error).message, /scale expected a positive number/);
    }
  }
});

rasterise.run();
