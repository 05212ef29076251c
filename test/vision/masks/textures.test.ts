/**
 * Mask styles and textures: `sampleMaskStyle` is a function of the rng state (same seed, same style;
 * other seeds, other styles) and honours its options; every texture kind yields SVG that references
 * what it defines; noise tiles are plain SVG filter + pattern text.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, deriveSeed } from '../../../src/kit/prng.js';
import {
  DEFAULT_MASK_COLOURS,
  TEXTURE_KINDS,
  buildNoiseTile,
  buildTextureLayer,
  sampleMaskStyle,
  type TextureSpec,
} from '../../../src/vision/masks/textures.js';

const sample = suite('sampleMaskStyle');

sample('gives the same style for the same seed', () => {
  for (const seed of [0, 1, 42, 2 ** 31]) {
    assert.equal(sampleMaskStyle(createRng(seed)), sampleMaskStyle(createRng(seed)), `~> seed ${seed}`);
  }
});

sample('varies across seeds: colours, textures and shades', () => {
  const styles = Array.from({ length: 200 }, (_, i) => sampleMaskStyle(createRng(deriveSeed(7, 'style', i))));
  assert.ok(new Set(styles.map((s) => s.colour)).size >= 6, '~> colours');
  assert.ok(new Set(styles.map((s) => s.texture.kind)).size >= 6, '~> texture kinds');
  assert.ok(new Set(styles.map((s) => s.shade.toFixed(3))).size > 150, '~> shades');
  assert.ok(styles.every((s) => s.valve === false), '~> no valve unless a chance is given');
  for (const s of styles) {
    assert.ok((DEFAULT_MASK_COLOURS as readonly string[]).includes(s.colour), `~> ${s.colour} from the palette`);
    assert.ok(s.shade >= 0.45 && s.shade < 0.9, '~> shade range');
  }
});

sample('draws only from the given colours and texture kinds', () => {
  for (let seed = 0; seed < 50; seed++) {
    const s = sampleMaskStyle(createRng(seed), { colours: ['#112233', '#AABBCC'], textures: ['dots', 'floral'] });
    assert.ok(['#112233', '#aabbcc'].includes(s.colour), `~> colour ${s.colour}`);
    assert.ok(s.texture.kind === 'dots' || s.texture.kind === 'floral', `~> texture ${s.texture.kind}`);
    if (s.texture.kind === 'dots' || s.texture.kind === 'floral') assert.match(s.texture.colour, /^#[0-9a-f]{6}$/);
  }
});

sample('refuses an empty or malformed colour list', () => {
  assert.throws(() => sampleMaskStyle(createRng(1), { colours: [] }), /expected at least one colour, received none/);
  assert.throws(() => sampleMaskStyle(createRng(1), { colours: ['red'] }), /colours\[\] expected '#rrggbb', received 'red'/);
});

sample.run();

// ---

const layer = suite('buildTextureLayer');

const specs: Record<(typeof TEXTURE_KINDS)[number], TextureSpec> = {
  plain: { kind: 'plain' },
  nonwoven: { kind: 'nonwoven', scale: 1.5 },
  weave: { kind: 'weave', scale: 4 },
  dots: { kind: 'dots', colour: '#ffffff', scale: 30 },
  stripes: { kind: 'stripes', colour: '#d5454f', angle: 45, scale: 20 },
  check: { kind: 'check', colour: '#1f2b4f', scale: 20 },
  floral: { kind: 'floral', colour: '#7b4f9e', scale: 80 },
};

layer('plain adds nothing; every other kind defines an id and paints with it', () => {
  assert.equal(buildTextureLayer(specs.plain, '#9cc8e8', 100, 80), { defs: '', layer: '' });
  for (const kind of TEXTURE_KINDS.filter((k) => k !== 'plain')) {
    const { defs, layer: paint } = buildTextureLayer(specs[kind], '#9cc8e8', 100, 80, 'tx');
    assert.match(defs, /id="tx"/, `~> ${kind} defines`);
    assert.match(paint, /url\(#tx\)/, `~> ${kind} paints`);
    assert.match(paint, /width="100" height="80"/, `~> ${kind} covers the canvas`);
  }
});

layer('uses the print colour and refuses a malformed one', () => {
  assert.match(buildTextureLayer(specs.dots, '#26365f', 10, 10).defs, /fill="#ffffff"/);
  assert.throws(() => buildTextureLayer({ kind: 'dots', colour: '#fff', scale: 9 }, '#26365f', 10, 10), /texture colour expected '#rrggbb', received '#fff'/);
});

layer.run();

// ---

const tile = suite('buildNoiseTile');

tile('defines a filter and a pattern of the tile size', () => {
  const svg = buildNoiseTile('n', { frequency: 0.5, octaves: 2, seed: 3, tile: 64, matrix: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0 0 0' });
  assert.match(svg, /<filter id="n-f"[^>]*width="64" height="64"><feTurbulence type="fractalNoise" baseFrequency="0.5" numOctaves="2" seed="3"/);
  assert.match(svg, /<pattern id="n" patternUnits="userSpaceOnUse" width="64" height="64"><rect width="64" height="64" filter="url\(#n-f\)"\/><\/pattern>/);
});

tile.run();
