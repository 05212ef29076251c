/**
 * The placement check on the synthetic face's landmarks (test/helpers/synthetic-face.ts) with hand-drawn
 * region maps: a mask over nose and mouth inside the jaw passes; the same mask 30 % wider stays inside the
 * grown landmark box (the old test alone would pass it) but runs past the jaw, so the fit test fails it;
 * the threshold is the caller's; given the warped coverage, a soft edge's fringe (under half covered) is
 * not counted.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkMaskPlacement, DEFAULT_MAX_OUTSIDE_SHARE } from '../../src/vision/mask-sanity.js';
import { fillPolygon } from '../../src/vision/polygon-fill.js';
import type { Point, RawImage } from '../../src/vision/types.js';
import { SYNTHETIC_FACE } from '../helpers/synthetic-face.js';

const SIZE = 200;

/**
 * A mask-like hexagon from the nose bridge (y 96) to just above the chin (y 168), `halfWidth` px either
 * side of the face axis x = 100 at cheek height, narrowing to the chin.
 */
function makeMask(halfWidth: number): RawImage {
  const polygon: Point[] = [[100 - halfWidth, 100], [100, 96], [100 + halfWidth, 100], [100 + halfWidth * 0.8, 150], [100, 168], [100 - halfWidth * 0.8, 150]];
  const inside = fillPolygon(polygon, SIZE, SIZE);
  return { width: SIZE, height: SIZE, channels: 1, data: Uint8Array.from(inside, (v) => v * 255) };
}

const check = suite('placement check');

check('a mask inside the jaw passes', () => {
  const result = checkMaskPlacement(makeMask(52), SYNTHETIC_FACE);
  assert.ok(result.noseTip && result.mouthCorners, '~> covers nose tip and mouth corners');
  assert.is(result.insideFace, 1);
  assert.ok(result.outsideShare < 0.01, `~> ${result.outsideShare} outside`);
  assert.ok(result.fitsFace && result.ok);
});

check('a mask 30 % wider stays in the grown box but is caught by the fit', () => {
  const result = checkMaskPlacement(makeMask(68), SYNTHETIC_FACE);
  assert.is(result.insideFace, 1, '~> the box test alone passes it');
  assert.ok(result.outsideShare > DEFAULT_MAX_OUTSIDE_SHARE, `~> ${result.outsideShare} outside`);
  assert.is(result.fitsFace, false);
  assert.is(result.ok, false);
  assert.ok(checkMaskPlacement(makeMask(68), SYNTHETIC_FACE, { maxOutsideShare: 1 }).ok, '~> a threshold of 1 passes any fit');
  assert.throws(() => checkMaskPlacement(makeMask(68), SYNTHETIC_FACE, { maxOutsideShare: 1.5 }), /maxOutsideShare in 0..1, received 1.5/);
});

check('with the coverage, the fit counts what the mask covers at least half, not the fringe of a soft edge', () => {
  // The passing mask, with a 6-px fringe at coverage 60 all round (a blurred edge): in the region map, not in the mask.
  const core = makeMask(52);
  const grown = makeMask(58);
  const coverage: RawImage = { ...core, data: Uint8Array.from(core.data, (v, i) => (v > 0 ? 255 : grown.data[i]! > 0 ? 60 : 0)) };
  const region: RawImage = { ...core, data: Uint8Array.from(coverage.data, (v) => (v > 0 ? 255 : 0)) };
  assert.is(checkMaskPlacement(region, SYNTHETIC_FACE, { coverage }).fitsFace, true);
  assert.is(checkMaskPlacement(region, SYNTHETIC_FACE, { coverage }).outsideShare, checkMaskPlacement(core, SYNTHETIC_FACE).outsideShare);
  assert.ok(checkMaskPlacement(region, SYNTHETIC_FACE).outsideShare > checkMaskPlacement(core, SYNTHETIC_FACE).outsideShare, '~> the region map alone counts the fringe');
});

check.run();
