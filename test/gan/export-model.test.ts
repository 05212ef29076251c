/**
 * The exported GraphModel runs in plain `@tensorflow/tfjs` with nothing from repro: a child `node` process
 * imports only `@tensorflow/tfjs`, selects the pure-JS `cpu` backend, loads model.json + weights.bin through
 * `tf.io.fromMemory` and predicts. Without noise its output and attention match `runGenerator` within 1e-4
 * (input 2×16×20, so batch and a non-square size are dynamic); with noise and a seed it reproduces
 * `runGenerator`'s noisy output and leaves the attention untouched; without a seed two calls differ. The
 * export replaces an existing directory and leaves no temp directory behind.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { createGeneratorWeights, disposeWeights, runGenerator, type GeneratorConfig } from '../../src/gan/generator.js';
import { exportGeneratorModel, MODEL_FILE, WEIGHTS_FILE } from '../../src/gan/export-model.js';
import type { NoiseSpec } from '../../src/gan/noise.js';

const tf = await loadTensorflow(detectBackendKind());
const ROOT = join(import.meta.dirname, '..', '..');
const SHAPE = [2, 16, 20, 3] as const;

/** Runs in a child process with plain tfjs only: argv = model dir, input file, runs; prints the backend. */
const PLAIN_TFJS_PREDICT = `
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const [dir, inputFile, runs] = process.argv.slice(1);
await tf.setBackend('cpu');
const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const bin = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
const model = await tf.loadGraphModel(tf.io.fromMemory({
  modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
  weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  signature: json.signature, userDefinedMetadata: json.userDefinedMetadata, format: json.format,
}));
const raw = readFileSync(inputFile);
const image = tf.tensor4d(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)), ${JSON.stringify(SHAPE)});
for (let i = 0; i < Number(runs); i += 1) {
  const { output, attention } = model.predict(image);
  writeFileSync(inputFile + '.output.' + i, output.dataSync());
  writeFileSync(inputFile + '.attention.' + i, attention.dataSync());
}
process.stdout.write(tf.getBackend());
`;

async function predictWithPlainTfjs(dir: string, image: tfjs.Tensor4D, runs = 1): Promise<{ output: Float32Array; attention: Float32Array }[]> {
  const inputFile = join(dir, 'input.f32');
  await writeFile(inputFile, image.dataSync() as Float32Array);
  const child = await execa(process.execPath, ['--input-type=module', '-e', PLAIN_TFJS_PREDICT, dir, inputFile, String(runs)], { cwd: ROOT });
  assert.is(child.stdout, 'cpu', '~> the child ran on the pure-JS cpu backend');
  const read = async (file: string) => { const b = await readFile(file); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
  return Promise.all(Array.from({ length: runs }, async (_, i) => ({ output: await read(`${inputFile}.output.${i}`), attention: await read(`${inputFile}.attention.${i}`) })));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.is(a.length, b.length, '~> lengths');
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function withTemp<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-export-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---
const exportSuite = suite('exportGeneratorModel');

exportSuite('~> plain tfjs (cpu) reproduces runGenerator without noise within 1e-4', async () => {
  await withTemp(async (root) => {
    const weights = createGeneratorWeights(tf, { ngf: 4, blocks: 2, seed: 21, scope: 'export-plain' });
    const image = tf.randomUniform([...SHAPE], -1, 1, 'float32', 22) as tfjs.Tensor4D;
    const dir = join(root, 'model');
    await exportGeneratorModel(weights, dir);
    assert.equal((await readdir(dir)).sort(), [MODEL_FILE, WEIGHTS_FILE].sort(), '~> two files');
    const [exported] = await predictWithPlainTfjs(dir, image);
    const ours = runGenerator(tf, weights, image);
    const outputError = maxAbsDiff(exported!.output, ours.output.dataSync());
    const attentionError = maxAbsDiff(exported!.attention, ours.attention.dataSync());
    assert.ok(outputError <= 1e-4, `~> output error ${outputError}`);
    assert.ok(attentionError <= 1e-4, `~> attention error ${attentionError}`);
    tf.dispose([image, ours.output, ours.attention, ours.content]);
    disposeWeights(weights);
  });
});

exportSuite('~> noise: a seed reproduces runGenerator’s draw, no seed draws fresh noise each call', async () => {
  await withTemp(async (root) => {
    const noise: NoiseSpec = { layers: ['c1', 'c2'], position: 'postAct', sigma: 0.5 };
    const weights = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 31, scope: 'export-noise' });
    const image = tf.randomUniform([...SHAPE], -1, 1, 'float32', 32) as tfjs.Tensor4D;
    await exportGeneratorModel(weights, join(root, 'seeded'), { noise, noiseSeed: 7 });
    await exportGeneratorModel(weights, join(root, 'fresh'), { noise: { ...noise, position: 'preNorm' } });
    const [seeded] = await predictWithPlainTfjs(join(root, 'seeded'), image);
    const ours = runGenerator(tf, weights, image, { noise, noiseSeed: 7 });
    const clean = runGenerator(tf, weights, image);
    assert.ok(maxAbsDiff(seeded!.output, ours.output.dataSync()) <= 1e-4, '~> seeded output equals runGenerator’s');
    assert.ok(maxAbsDiff(seeded!.output, clean.output.dataSync()) > 1e-3, '~> noise changes the output');
    assert.ok(maxAbsDiff(seeded!.attention, clean.attention.dataSync()) <= 1e-4, '~> attention has no noise');
    const [first, second] = await predictWithPlainTfjs(join(root, 'fresh'), image, 2);
    assert.ok(maxAbsDiff(first!.output, second!.output) > 1e-3, '~> two unseeded calls differ');
    tf.dispose([image, ours.output, ours.attention, ours.content, clean.output, clean.attention, clean.content]);
    disposeWeights(weights);
  });
});

/** What an export's model.json says that these tests read. */
interface ExportedJson {
  userDefinedMetadata: { generator: Record<string, unknown> };
  modelTopology: { node: { op: string }[] };
}

/**
 * Exports `config`'s generator plain and with `noise` seeded by `noiseSeed`, runs both in plain tfjs on a seeded
 * image and asserts they reproduce `runGenerator` (plain: output and attention; noisy: output) within 1e-4;
 * returns the plain export's model.json.
 */
async function assertExportReproduces(config: GeneratorConfig, imageSeed: number, noise: NoiseSpec, noiseSeed: number): Promise<ExportedJson> {
  return withTemp(async (root) => {
    const weights = createGeneratorWeights(tf, config);
    const image = tf.randomUniform([...SHAPE], -1, 1, 'float32', imageSeed) as tfjs.Tensor4D;
    await exportGeneratorModel(weights, join(root, 'plain'));
    await exportGeneratorModel(weights, join(root, 'noisy'), { noise, noiseSeed });
    const [plain] = await predictWithPlainTfjs(join(root, 'plain'), image);
    const [noisy] = await predictWithPlainTfjs(join(root, 'noisy'), image);
    const clean = runGenerator(tf, weights, image);
    const ours = runGenerator(tf, weights, image, { noise, noiseSeed });
    assert.ok(maxAbsDiff(plain!.output, clean.output.dataSync()) <= 1e-4, '~> output');
    assert.ok(maxAbsDiff(plain!.attention, clean.attention.dataSync()) <= 1e-4, '~> attention');
    assert.ok(maxAbsDiff(noisy!.output, ours.output.dataSync()) <= 1e-4, '~> seeded noisy output');
    tf.dispose([image, clean.output, clean.attention, clean.content, ours.output, ours.attention, ours.content]);
    disposeWeights(weights);
    return JSON.parse(await readFile(join(root, 'plain', MODEL_FILE), 'utf8')) as ExportedJson;
  });
}

exportSuite('~> resize-conv decoders and a leaky-relu attention decoder export too: plain tfjs reproduces runGenerator, with seeded noise on c1 and c2', async () => {
  const json = await assertExportReproduces(
    { ngf: 4, blocks: 1, seed: 51, scope: 'export-resize', upsample: 'resize-conv', attentionActivation: 'leaky-relu' }, 52,
    { layers: ['c1', 'c2'], position: 'postAct', sigma: 0.5 }, 9,
  );
  assert.is(json.userDefinedMetadata.generator.upsample, 'resize-conv', '~> recorded in the metadata');
  assert.is(json.userDefinedMetadata.generator.attentionActivation, 'leaky-relu');
});

exportSuite("~> 'residual' content exports too: plain tfjs reproduces runGenerator, with seeded noise", async () => {
  const json = await assertExportReproduces(
    { ngf: 4, blocks: 1, seed: 53, scope: 'export-residual', upsample: 'resize-conv', attentionActivation: 'leaky-relu', attentionPrior: 0.5, content: 'residual' }, 54,
    { layers: ['c2'], position: 'postAct', sigma: 0.5 }, 3,
  );
  assert.is(json.userDefinedMetadata.generator.content, 'residual', '~> recorded in the metadata');
  assert.ok(json.modelTopology.node.some((n) => n.op === 'Atanh'), '~> the input enters the candidates');
});

exportSuite('~> replaces an existing export and leaves no temp directory', async () => {
  await withTemp(async (root) => {
    const weights = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 41, scope: 'export-replace' });
    const dir = join(root, 'model');
    await exportGeneratorModel(weights, dir);
    await writeFile(join(dir, 'stale.txt'), 'from an older export');
    await exportGeneratorModel(weights, dir);
    assert.equal((await readdir(dir)).sort(), [MODEL_FILE, WEIGHTS_FILE].sort(), '~> only the new files');
    assert.equal(await readdir(root), ['model'], '~> no temp or old directory left');
    const json = JSON.parse(await readFile(join(dir, MODEL_FILE), 'utf8')) as { modelTopology: { node: { op: string }[] } };
    const ops = new Set(json.modelTopology.node.map((n) => n.op));
    assert.ok(!ops.has('RandomStandardNormal'), '~> no noise op without noise');
    assert.ok(ops.has('Conv2DBackpropInput') && ops.has('MirrorPad'), '~> standard ops');
    disposeWeights(weights);
  });
});

exportSuite.run();
