/**
 * The turned-head projection: frontal leaves drawings exactly as drawn; a turned view moves the centre
 * toward its side, pins points behind the silhouette to it and keeps each row's order; projected shapes
 * sit inside their canvas with the margin.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CANVAS_MARGIN,
  TURN_YAW,
  WRAP_ANGLE,
  createProjector,
  mapAnchors,
  projectShape,
  yawOf,
} from '../../../src/vision/masks/projection.js';
import type { FrontalShape } from '../../../src/vision/masks/shape.js';

const yaw = suite('yawOf');

yaw('is 0 frontal, negative left, positive right', () => {
  assert.equal([yawOf('frontal'), yawOf('left'), yawOf('right')], [0, -TURN_YAW, TURN_YAW]);
});

yaw.run();

// ---

const projector = suite('createProjector');

projector('keeps frontal points where they are, raised or not', () => {
  const p = createProjector('frontal', 300);
  assert.is(p.radius, 300 / Math.sin(WRAP_ANGLE));
  for (const x of [-300, -120, 0, 77, 300]) {
    const [px, py] = p.project([x, 40], 25);
    assert.ok(Math.abs(px - x) < 1e-9 && py === 40, `~> x ${x}`);
  }
});

projector('moves the centre toward the turn, pins hidden points to the silhouette, keeps order', () => {
  const left = createProjector('left', 300);
  assert.ok(left.project([0, 0], 0)[0] < -150, '~> centre moves left');
  assert.ok(left.project([0, 0], 30)[0] < left.project([0, 0], 0)[0], '~> a raised centre moves further');
  assert.ok(!left.isVisible([-300, 0]), '~> far edge hidden');
  assert.ok(left.isVisible([300, 0]), '~> near edge visible');
  assert.ok(Math.abs(left.project([-300, 0], 0)[0] + left.radius) < 1e-9, '~> pinned to the silhouette');
  let previous = -Infinity;
  for (let x = -300; x <= 300; x += 10) {
    const px = left.project([x, 0], 0)[0];
    assert.ok(px >= previous, `~> order at ${x}`);
    previous = px;
  }
  const right = createProjector('right', 300);
  assert.ok(Math.abs(right.project([120, 0], 0)[0] + left.project([-120, 0], 0)[0]) < 1e-9, '~> right mirrors left');
});

projector.run();

// ---

const project = suite('projectShape');

const square: FrontalShape = {
  halfWidth: 100,
  depth: () => 0,
  elements: [
    { role: 'body', points: [[-100, 0], [100, 0], [100, 200], [-100, 200]] },
    { role: 'line', points: [[-100, 100], [100, 100]], style: 'seam' },
  ],
  anchors: { a: [-100, 20], b: [0, 0], c: [100, 20], d: [-100, 180], e: [0, 200], f: [100, 180] },
};

project('fits the drawing in a canvas with a margin and moves the anchors with it', () => {
  const s = projectShape(square, 'frontal');
  assert.equal([s.width, s.height], [200 + 2 * CANVAS_MARGIN, 200 + 2 * CANVAS_MARGIN]);
  assert.equal(s.anchors.b, [100 + CANVAS_MARGIN, CANVAS_MARGIN]);
  assert.is(s.axisX, 100 + CANVAS_MARGIN);
});

project('cuts lines where they turn away from the viewer', () => {
  const s = projectShape(square, 'left');
  const line = s.elements.find((e) => e.role === 'line');
  assert.ok(line !== undefined && 'points' in line, '~> line kept');
  const xs = line.points.map(([x]) => x);
  const body = s.elements.find((e) => e.role === 'body');
  assert.ok(body !== undefined && 'points' in body);
  assert.ok(Math.min(...xs) > Math.min(...body.points.map(([x]) => x)) + 1, '~> far end cut before the silhouette');
});

project.run();

// ---

const anchors = suite('mapAnchors');

anchors('applies the function to all six anchors', () => {
  const moved = mapAnchors(square.anchors, ([x, y]) => [x + 1, y * 2]);
  assert.equal(moved, { a: [-99, 40], b: [1, 0], c: [101, 40], d: [-99, 360], e: [1, 400], f: [101, 360] });
});

anchors.run();
