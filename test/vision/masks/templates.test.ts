/**
 * The SVG mask templates: every kind × variant builds, with its size in the SVG and anchors a..f placed
 * like a face's; turned variants mirror each other; the same style gives the same text; bad kinds,
 * variants and colours are refused.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MASK_KINDS,
  TEMPLATE_VARIANTS,
  buildMaskShape,
  buildTemplateSvg,
  chooseStrapColour,
  paintTemplate,
} from '../../../src/vision/masks/templates.js';
import type { MaskStyle } from '../../../src/vision/masks/textures.js';
import { assertPlausibleAnchors } from './anchor-checks.js';

const style: MaskStyle = { colour: '#9cc8e8', texture: { kind: 'nonwoven', scale: 1.5 }, shade: 0.7 };

const kinds = suite('MASK_KINDS');

kinds('lists the four kinds', () => {
  assert.equal([...MASK_KINDS], ['surgical', 'n95', 'kn95', 'cloth']);
  assert.equal([...TEMPLATE_VARIANTS], ['frontal', 'left', 'right']);
});

kinds.run();

// ---

const build = suite('buildTemplateSvg');

build('builds every kind × variant with its size in the SVG and plausible anchors', () => {
  for (const kind of MASK_KINDS) {
    for (const variant of TEMPLATE_VARIANTS) {
      const t = buildTemplateSvg(kind, variant, style);
      const label = `${kind}/${variant}`;
      assert.ok(Number.isInteger(t.width) && t.width > 200, `~> ${label} width`);
      assert.ok(Number.isInteger(t.height) && t.height > 200, `~> ${label} height`);
      assert.match(t.svg, new RegExp(`^<svg [^>]*width="${t.width}" height="${t.height}" viewBox="0 0 ${t.width} ${t.height}"`), `~> ${label} svg size`);
      assert.ok(t.svg.endsWith('</svg>'), `~> ${label} closed`);
      assertPlausibleAnchors(t.anchors, t.width, t.height, label);
    }
  }
});

build('turned variants put b toward their side: left → image left of centre, right → image right', () => {
  for (const kind of MASK_KINDS) {
    const left = buildTemplateSvg(kind, 'left', style);
    const right = buildTemplateSvg(kind, 'right', style);
    const front = buildTemplateSvg(kind, 'frontal', style);
    assert.ok(left.anchors.b[0] < left.width * 0.4, `~> ${kind} left b`);
    assert.ok(right.anchors.b[0] > right.width * 0.6, `~> ${kind} right b`);
    assert.ok(Math.abs(front.anchors.b[0] - front.width / 2) < 2, `~> ${kind} frontal b centred`);
    assert.ok(left.width < front.width, `~> ${kind} turned narrower`);
  }
});

build('left and right are mirror images of each other', () => {
  for (const kind of MASK_KINDS) {
    const left = buildTemplateSvg(kind, 'left', style);
    const right = buildTemplateSvg(kind, 'right', style);
    assert.equal([left.width, left.height], [right.width, right.height], `~> ${kind} size`);
    const pairs = [['a', 'c'], ['b', 'b'], ['c', 'a'], ['d', 'f'], ['e', 'e'], ['f', 'd']] as const;
    for (const [l, r] of pairs) {
      assert.ok(Math.abs(left.anchors[l][0] - (right.width - right.anchors[r][0])) < 1, `~> ${kind} ${l}.x mirrors ${r}.x`);
      assert.ok(Math.abs(left.anchors[l][1] - right.anchors[r][1]) < 1e-9, `~> ${kind} ${l}.y equals ${r}.y`);
    }
  }
});

build('gives the same text for the same style, different text for another colour', () => {
  assert.is(buildTemplateSvg('kn95', 'left', style).svg, buildTemplateSvg('kn95', 'left', style).svg);
  assert.is.not(buildTemplateSvg('kn95', 'left', style).svg, buildTemplateSvg('kn95', 'left', { ...style, colour: '#27282c' }).svg);
});

build('draws a valve only when asked, and refuses one on a kind without', () => {
  for (const kind of ['n95', 'kn95'] as const) {
    const plain = buildTemplateSvg(kind, 'frontal', style).svg;
    const valved = buildTemplateSvg(kind, 'frontal', { ...style, valve: true }).svg;
    assert.ok(valved.length > plain.length, `~> ${kind} valve adds parts`);
  }
  for (const kind of ['surgical', 'cloth'] as const) {
    assert.throws(() => buildTemplateSvg(kind, 'frontal', { ...style, valve: true }), new RegExp(`valve expected only on n95, kn95, received one for '${kind}'`));
  }
});

build('refuses a colour that is not #rrggbb and a shade outside 0..1', () => {
  assert.throws(() => buildTemplateSvg('surgical', 'frontal', { ...style, colour: 'blue' }), /colour expected '#rrggbb', received 'blue'/);
  assert.throws(() => buildTemplateSvg('surgical', 'frontal', { ...style, shade: 1.5 }), /shade expected a number in 0\.\.1, received 1\.5/);
});

build.run();

// ---

const shape = suite('buildMaskShape');

shape('refuses an unknown kind or variant', () => {
  assert.throws(() => buildMaskShape('gas' as never, 'frontal'), /kind expected one of surgical, n95, kn95, cloth, received 'gas'/);
  assert.throws(() => buildMaskShape('n95', 'up' as never), /variant expected one of frontal, left, right, received 'up'/);
});

shape('has one body, and straps on both sides only when frontal', () => {
  for (const kind of MASK_KINDS) {
    const front = buildMaskShape(kind, 'frontal');
    const left = buildMaskShape(kind, 'left');
    assert.is(front.elements.filter((e) => e.role === 'body').length, 1, `~> ${kind} one body`);
    const straps = (s: typeof front): number => s.elements.filter((e) => e.role === 'strap').length;
    assert.is(straps(front), 4, `~> ${kind} frontal straps`);
    assert.is(straps(left), 2, `~> ${kind} left: far straps hidden`);
  }
});

shape.run();

// ---

const paint = suite('paintTemplate');

paint('keeps the shape size and anchors', () => {
  const s = buildMaskShape('cloth', 'right');
  const t = paintTemplate(s, 'cloth', style);
  assert.equal([t.width, t.height, t.anchors], [s.width, s.height, s.anchors]);
});

paint.run();

// ---

const strap = suite('chooseStrapColour');

strap('gives white-ish loops on surgical masks and fabric loops on cloth masks', () => {
  assert.is(chooseStrapColour('surgical', '#000000'), '#ababa9');
  assert.is(chooseStrapColour('cloth', '#ffffff'), '#e0e0e0');
});

strap.run();
