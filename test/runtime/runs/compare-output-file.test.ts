/**
 * The judge of `repro verify --recompute`, file by file, on constructed bytes: same bytes are identical
 * whatever the tolerance; JSON numbers are compared by relative difference with the absolute floor, and a
 * changed key, string or length diverges with its path; float32 tensors by max|a − b| / max|a|, NaN on one
 * side only diverging; images by SSIM and changed pixels (real sharp); other files exactly.
 */
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EXACT, FLOAT_KERNELS, resolveTolerance } from '../../../src/dsl/tolerance.js';
import { judgeFile } from '../../../src/runtime/runs/recompute/compare-output-file.js';

const judge = suite('recompute: judging one file');
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const floats = (values: number[]) => Buffer.from(Float32Array.from(values).buffer);

judge('same bytes are identical, even under exact tolerances', async () => {
  const result = await judgeFile('a.json', json({ x: 1 }), json({ x: 1 }), EXACT);
  assert.is(result.verdict, 'identical');
  assert.is(result.comparedAs, 'bytes');
});

judge('JSON numbers: the hand-computed relative difference, judged against the tolerance', async () => {
  const within = await judgeFile('m.json', json({ loss: { g: 10, d: 0.5 } }), json({ loss: { g: 10.2, d: 0.5 } }), FLOAT_KERNELS);
  assert.is(within.verdict, 'within tolerance');
  assert.is(within.measures.relative, Number((0.2 / 10.2).toPrecision(6)));
  assert.match(within.detail, /largest relative difference 1\.96e-2 at loss\.g: 10 → 10\.2/);
  const beyond = await judgeFile('m.json', json({ loss: { g: 10, d: 0.5 } }), json({ loss: { g: 12, d: 0.5 } }), FLOAT_KERNELS);
  assert.is(beyond.verdict, 'diverged');
  assert.match(beyond.detail, /relative difference 1\.67e-1 > 0\.05 at loss\.g: 10 → 12/);
  const tiny = await judgeFile('m.json', json({ kid: 0.0001 }), json({ kid: 0.0004 }), FLOAT_KERNELS);
  assert.is(tiny.verdict, 'within tolerance', '~> 75 % apart but within the absolute floor (1e-3)');
  const exact = await judgeFile('m.json', json({ kid: 0.0001 }), json({ kid: 0.0004 }), EXACT);
  assert.is(exact.verdict, 'diverged');
});

judge('JSON structure: a key, a string or a length that differs diverges, named by its path', async () => {
  const key = await judgeFile('m.json', json({ a: { b: 1 } }), json({ a: { c: 1 } }), FLOAT_KERNELS);
  assert.is(key.verdict, 'diverged');
  assert.match(key.detail, /^a\.b: present → absent$/);
  const text = await judgeFile('m.jsonl', Buffer.from('{"name":"x","v":1}\n{"name":"y","v":2}\n'), Buffer.from('{"name":"x","v":1}\n{"name":"z","v":2}\n'), FLOAT_KERNELS);
  assert.match(text.detail, /^\[1\]\.name: "y" → "z"$/);
  const length = await judgeFile('m.json', json([1, 2]), json([1, 2, 3]), FLOAT_KERNELS);
  assert.match(length.detail, /2 items → 3/);
  const formatting = await judgeFile('m.json', Buffer.from('{"a":1,"b":2}'), Buffer.from('{\n  "b": 2,\n  "a": 1\n}'), EXACT);
  assert.is(formatting.verdict, 'within tolerance');
  assert.is(formatting.detail, 'same numbers, other formatting');
});

judge('float32 tensors: max|a − b| over max|a|; NaN on one side diverges', async () => {
  const within = await judgeFile('w.bin', floats([1, -2, 4]), floats([1, -2, 4.1]), FLOAT_KERNELS);
  assert.is(within.verdict, 'within tolerance');
  assert.ok(Math.abs(within.measures.tensorRelative! - 0.1 / 4) < 1e-6, String(within.measures.tensorRelative));
  const beyond = await judgeFile('w.bin', floats([1, -2, 4]), floats([1, -2, 5]), FLOAT_KERNELS);
  assert.is(beyond.verdict, 'diverged');
  const nan = await judgeFile('w.bin', floats([1, Number.NaN]), floats([1, 2]), FLOAT_KERNELS);
  assert.match(nan.detail, /value 1 is NaN on one side only/);
  const sized = await judgeFile('w.bin', floats([1, 2]), floats([1, 2, 3]), FLOAT_KERNELS);
  assert.is(sized.comparedAs, 'bytes', '~> another length is not the same tensor');
  assert.is(sized.verdict, 'diverged');
});

judge('images: SSIM and changed pixels against the tolerance; other files exactly', async () => {
  const grey = (level: number) => sharp({ create: { width: 32, height: 32, channels: 3, background: { r: level, g: level, b: level } } }).png().toBuffer();
  const near = await judgeFile('g.png', await grey(128), await grey(130), FLOAT_KERNELS);
  assert.is(near.verdict, 'within tolerance');
  assert.is(near.measures.changedPixels, 0, '~> 2 of 255 is under the 8/255 change threshold');
  assert.ok(near.picture && near.picture.length > 0, '~> a side-by-side picture for the report');
  const far = await judgeFile('g.png', await grey(20), await grey(230), FLOAT_KERNELS);
  assert.is(far.verdict, 'diverged');
  assert.match(far.detail, /100\.00 % of pixels changed > 20\.00 %/);
  const strict = await judgeFile('g.png', await grey(128), await grey(130), resolveTolerance(FLOAT_KERNELS, { ssim: 1 }));
  assert.is(strict.verdict, 'diverged', '~> an override tightens one field');
  const text = await judgeFile('list.txt', Buffer.from('a\n'), Buffer.from('b\n'), FLOAT_KERNELS);
  assert.is(text.verdict, 'diverged');
  assert.match(text.detail, /compared exactly/);
});

judge.run();
