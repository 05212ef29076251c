/**
 * The SVG painter: the body is the clip for texture and shading, straps are painted before the fabric,
 * and the options (overlay, feather, soft folds, extra defs) show up in the text.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { paintMaskSvg } from '../../../src/vision/masks/paint.js';
import { buildMaskShape } from '../../../src/vision/masks/templates.js';

const style = { colour: '#9cc8e8', texture: { kind: 'plain' }, shade: 0.5 } as const;

const paint = suite('paintMaskSvg');

paint('clips the inside to the body and paints straps before the fabric', () => {
  const svg = paintMaskSvg(buildMaskShape('surgical', 'frontal'), style, '#eeeeee');
  assert.match(svg, /<clipPath id="body"><path d="M/);
  assert.match(svg, /<g clip-path="url\(#body\)">/);
  assert.ok(svg.indexOf('stroke="#eeeeee"') < svg.indexOf('fill="#9cc8e8"'), '~> straps first');
});

paint('adds what the options ask for', () => {
  const shape = buildMaskShape('surgical', 'frontal');
  const plain = paintMaskSvg(shape, style, '#eeeeee');
  const extra = paintMaskSvg(shape, style, '#eeeeee', { defs: '<g id="x"/>', overlay: '<rect id="o"/>', feather: true, softFolds: true });
  assert.match(extra, /<g id="x"\/>/);
  assert.match(extra, /<rect id="o"\/>/);
  assert.match(extra, /stroke="#9cc8e8" stroke-opacity="0.35" stroke-width="3.5"/);
  assert.ok(extra.length > plain.length, '~> soft folds have more layers');
  assert.not.match(plain, /stroke-width="3.5"/);
});

paint.run();
