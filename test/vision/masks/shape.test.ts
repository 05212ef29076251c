/**
 * The frontal drawings of the four kinds (surgical.ts, n95.ts, kn95.ts, cloth.ts) and `findBody` from
 * shape.ts: one body each, symmetric about x = 0, anchors in a face's arrangement and on or near the
 * body, straps leaving the body outward, valves only on request.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildClothShape } from '../../../src/vision/masks/cloth.js';
import { boundsOf } from '../../../src/vision/masks/geometry.js';
import { buildKn95Shape } from '../../../src/vision/masks/kn95.js';
import { buildN95Shape } from '../../../src/vision/masks/n95.js';
import { findBody, type FrontalShape } from '../../../src/vision/masks/shape.js';
import { buildSurgicalShape } from '../../../src/vision/masks/surgical.js';
import { assertPlausibleAnchors } from './anchor-checks.js';

const builders: Record<string, () => FrontalShape> = {
  buildSurgicalShape,
  buildN95Shape: () => buildN95Shape(false),
  buildKn95Shape: () => buildKn95Shape(false),
  buildClothShape,
};

for (const [name, build] of Object.entries(builders)) {
  const test = suite(name);
  test('has one symmetric body within its half width, anchors near it, straps leaving it outward', () => {
    const shape = build();
    const body = findBody(shape.elements);
    const box = boundsOf([body]);
    assert.ok(Math.abs(box.minX + box.maxX) < 1e-6, '~> symmetric');
    assert.ok(box.maxX <= shape.halfWidth + 1e-6 && box.maxX > shape.halfWidth - 10, '~> half width');
    const width = box.maxX - box.minX;
    const height = box.maxY - box.minY;
    const moved = Object.fromEntries(Object.entries(shape.anchors).map(([k, [x, y]]) => [k, [x - box.minX, y - box.minY]]));
    assertPlausibleAnchors(moved as never, width, height, name);
    for (const e of shape.elements) {
      if (e.role !== 'strap') continue;
      const first = e.points[0]!;
      const last = e.points[e.points.length - 1]!;
      assert.ok(Math.abs(last[0]) > Math.abs(first[0]), '~> strap goes outward');
    }
  });
  test.run();
}

// ---

const valve = suite('buildN95Shape / buildKn95Shape valve');

valve('adds parts only with a valve', () => {
  const parts = (s: FrontalShape): number => s.elements.filter((e) => e.role === 'part').length;
  assert.ok(parts(buildN95Shape(true)) > parts(buildN95Shape(false)));
  assert.ok(parts(buildKn95Shape(true)) > parts(buildKn95Shape(false)));
});

valve.run();

// ---

const body = suite('findBody');

body('finds the body and refuses a shape without one', () => {
  assert.equal(findBody([{ role: 'rim', width: 1, tone: 0 }, { role: 'body', points: [[0, 0]] }]), [[0, 0]]);
  assert.throws(() => findBody([]), /expected one element with role 'body', received none/);
});

body.run();
