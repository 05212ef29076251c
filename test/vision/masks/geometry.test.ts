/**
 * The polyline helpers behind the mask drawings: sampling, joining, mirroring, densifying, offsetting,
 * clipping, bounds and the stable number format of SVG paths.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  boundsOf,
  clipPolylineX,
  densifyPolyline,
  formatNumber,
  formatPath,
  joinPolylines,
  mirrorPolyline,
  offsetPolyline,
  sampleCubic,
  sampleEllipse,
  sampleFunction,
  sampleSuperellipse,
  translatePolyline,
} from '../../../src/vision/masks/geometry.js';

const sampling = suite('sampleCubic / sampleFunction / sampleEllipse / sampleSuperellipse');

sampling('starts and ends at the ends, with n + 1 points', () => {
  const c = sampleCubic([0, 0], [10, 0], [20, 10], [30, 10], 6);
  assert.is(c.length, 7);
  assert.equal([c[0], c[6]], [[0, 0], [30, 10]]);
  const f = sampleFunction((x) => x * x, -2, 2, 4);
  assert.equal(f, [[-2, 4], [-1, 1], [0, 0], [1, 1], [2, 4]]);
  assert.is(sampleEllipse(0, 0, 2, 1, 8).length, 8);
  const sq = sampleSuperellipse(0, 0, 10, 10, 4, 8);
  assert.ok(Math.abs(sq[1]![0] - sq[1]![1]) < 1e-9 && sq[1]![0] > 10 / Math.SQRT2, '~> fuller than a circle at 45°');
});

sampling.run();

// ---

const joining = suite('joinPolylines / mirrorPolyline / translatePolyline');

joining('drops shared joints, mirrors in reverse order, translates', () => {
  assert.equal(joinPolylines([[0, 0], [1, 0]], [[1, 0], [2, 1]]), [[0, 0], [1, 0], [2, 1]]);
  assert.equal(mirrorPolyline([[1, 0], [2, 3]]), [[-2, 3], [-1, 0]]);
  assert.equal(translatePolyline([[1, 2]], 3, -1), [[4, 1]]);
});

joining.run();

// ---

const dense = suite('densifyPolyline');

dense('splits long segments, closing one too when closed', () => {
  assert.equal(densifyPolyline([[0, 0], [10, 0]], 4, false), [[0, 0], [10 / 3, 0], [20 / 3, 0], [10, 0]]);
  // 4 + 4 + a closing 5.66 split in two: 4 points, the first not repeated
  assert.equal(densifyPolyline([[0, 0], [4, 0], [4, 4]], 4, true), [[0, 0], [4, 0], [4, 4], [2, 2]]);
});

dense.run();

// ---

const offset = suite('offsetPolyline / clipPolylineX');

offset('moves a left-to-right line down for a positive distance; clips by x', () => {
  assert.equal(offsetPolyline([[0, 0], [10, 0]], 3), [[0, 3], [10, 3]]);
  assert.equal(clipPolylineX([[-5, 0], [0, 1], [5, 2]], -1, 6), [[0, 1], [5, 2]]);
});

offset.run();

// ---

const format = suite('formatPath / formatNumber / boundsOf');

format('writes one decimal without -0, closes with Z; bounds cover all points', () => {
  assert.is(formatPath([[0.04, -0.04], [1.26, 2]], true), 'M0 0L1.3 2Z');
  assert.is(formatPath([], false), '');
  assert.is(formatNumber(-0.01), '0');
  assert.equal(boundsOf([[[1, 5]], [[-2, 3], [4, -1]]]), { minX: -2, minY: -1, maxX: 4, maxY: 5 });
  assert.equal(boundsOf([]), { minX: 0, minY: 0, maxX: 0, maxY: 0 });
});

format.run();
