/**
 * Params and metrics as DVC compares them: flattening to dotted keys (arrays stay whole), diffs in DVC's
 * shape with `diff` only for numbers, and which keys count as differing across runs.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { diffValues, flattenValues, keysThatDiffer } from '../../../src/runtime/runs/value-diff.js';

// ---
const flatten = suite('flattenValues');

flatten('dotted keys for objects, arrays kept whole, with a prefix', () => {
  assert.equal(flattenValues({ lab: { resize: { width: 4, sizes: [1, 2] } } }), { 'lab.resize.width': 4, 'lab.resize.sizes': [1, 2] });
  assert.equal(flattenValues({ loss: 0.5 }, 'lab.fit.train'), { 'lab.fit.train.loss': 0.5 });
});

// ---
const diff = suite('diffValues');

diff('changed keys only, number deltas, null for a missing side', () => {
  const changes = diffValues({ a: 4, b: 'x', c: 1, d: [1] }, { a: 6, b: 'y', c: 1, e: 0.3 });
  assert.equal(changes, {
    a: { old: 4, new: 6, diff: 2 },
    b: { old: 'x', new: 'y' },
    d: { old: [1], new: null },
    e: { old: null, new: 0.3 },
  });
});

diff('float noise is dropped from deltas; --all keeps unchanged keys', () => {
  assert.equal(diffValues({ x: 0.1 }, { x: 0.3 }).x, { old: 0.1, new: 0.3, diff: 0.2 });
  assert.equal(diffValues({ x: 1 }, { x: 1 }, { all: true }), { x: { old: 1, new: 1, diff: 0 } });
});

// ---
const key = suite('keysThatDiffer');

key('two different values among the runs that have the key; absence alone is no difference', () => {
  const runs = [{ w: 4, h: 6, only: 1 }, { w: 6, h: 6 }, { w: 4, h: 6, arr: [1] }];
  assert.equal(keysThatDiffer(runs), ['w']);
});

flatten.run();
diff.run();
key.run();
