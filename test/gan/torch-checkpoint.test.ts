/**
 * Checkpoint conversion against real PyTorch output, without torch: test/fixtures/attentiongan-tiny holds
 * checkpoints written by `torch.save` and torch's forward pass on a fixed input (scripts/make-converter-fixture.py).
 * The golden generator converted with the project's `.venv` python and loaded into our tfjs generator gives
 * torch's output and attention maps within 1e-4; the geo checkpoint loads everything but its 30-channel
 * `deconv3_content`, which keeps the seeded init; the DataParallel checkpoint (prefixed keys, running stats,
 * shared strided storage) and the legacy-format one convert to the same tensors; damaged files fail with an
 * error naming the file.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { createGeneratorWeights, disposeWeights, runGenerator } from '../../src/gan/generator.js';
import { applyConvertedGenerator, convertTorchCheckpoint, readConvertedWeights } from '../../src/gan/torch-checkpoint.js';
import { ReproError } from '../../src/errors.js';

const tf = await loadTensorflow(detectBackendKind());
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'attentiongan-tiny');

async function readF32(name: string): Promise<Float32Array> {
  const bytes = await readFile(join(FIXTURE, name));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function withTemp<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-ckpt-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.is(a.length, b.length, '~> lengths');
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

// ---
const convertSuite = suite('convertTorchCheckpoint');

convertSuite('~> the golden checkpoint reproduces torch’s output and attention within 1e-4', async () => {
  await withTemp(async (dir) => {
    const manifest = await convertTorchCheckpoint(join(FIXTURE, 'net_G.pth'), dir);
    assert.equal(manifest.architecture, { ngf: 2, blocks: 2, contentChannels: 27, attentionMaps: 10, variant: 'standard' }, '~> architecture');
    assert.is(manifest.source.format, 'zip', '~> format');
    const converted = await readConvertedWeights(dir);
    assert.equal(converted.get('deconv1_content.weight')?.shape, [3, 3, 4, 8], '~> transposed kernel [kh, kw, out, in]');
    assert.equal(converted.get('conv2.weight')?.shape, [3, 3, 2, 4], '~> conv kernel [kh, kw, in, out]');

    const weights = createGeneratorWeights(tf, { ngf: 2, blocks: 2, seed: 9, scope: 'golden' });
    const applied = applyConvertedGenerator(tf, weights, converted);
    assert.is(applied.loaded.length, 26, '~> every tensor loaded');
    assert.equal(applied.reinitialised, [], '~> none re-initialised');
    assert.equal(applied.unused, [], '~> none unused');

    const input = tf.tensor4d(await readF32('input.f32'), [1, 3, 16, 16]);        // NCHW
    const x = tf.transpose(input, [0, 2, 3, 1]) as tfjs.Tensor4D;                 // [1, 16, 16, 3]
    const { output, attention, content } = runGenerator(tf, weights, x);
    const ours = tf.tidy(() => ({
      output: tf.transpose(output, [0, 3, 1, 2]).dataSync(),                      // [1, 3, 16, 16]
      attention: tf.transpose(attention, [0, 3, 1, 2]).dataSync(),                // [1, 10, 16, 16]
    }));
    const outputError = maxAbsDiff(ours.output, await readF32('output.f32'));
    const attentionError = maxAbsDiff(ours.attention, await readF32('attention.f32'));
    assert.ok(outputError <= 1e-4, `~> output error ${outputError}`);
    assert.ok(attentionError <= 1e-4, `~> attention error ${attentionError}`);
    tf.dispose([input, x, output, attention, content]);
    disposeWeights(weights);
  });
});

convertSuite('~> geo checkpoint: deconv3_content keeps the seeded init, every other layer loads', async () => {
  await withTemp(async (dir) => {
    const manifest = await convertTorchCheckpoint(join(FIXTURE, 'net_G_geo.pth'), dir);
    assert.is(manifest.architecture.variant, 'geo', '~> variant');
    assert.is(manifest.architecture.contentChannels, 30, '~> 30 content channels');
    const weights = createGeneratorWeights(tf, { ngf: 1, blocks: 1, seed: 5, scope: 'geo' });
    const seeded = createGeneratorWeights(tf, { ngf: 1, blocks: 1, seed: 5, scope: 'geo-seeded' });
    const applied = applyConvertedGenerator(tf, weights, await readConvertedWeights(dir));
    assert.equal(applied.reinitialised, ['deconv3_content.weight', 'deconv3_content.bias'], '~> reinitialised');
    assert.is(applied.loaded.length, 20, '~> loaded');
    assert.ok(!applied.loaded.some((n) => n.startsWith('deconv3_content')), '~> content conv not loaded');
    assert.equal(Array.from(weights.deconv3Content.kernel.dataSync()), Array.from(seeded.deconv3Content.kernel.dataSync()), '~> seeded init kept');
    assert.not.equal(Array.from(weights.conv1.kernel.dataSync()), Array.from(seeded.conv1.kernel.dataSync()), '~> conv1 replaced');
    disposeWeights(weights);
    disposeWeights(seeded);
  });
});

convertSuite('~> DataParallel (prefix, running stats, strided shared storage) and legacy format give the same tensors', async () => {
  await withTemp(async (dir) => {
    const parallel = await convertTorchCheckpoint(join(FIXTURE, 'net_G_dataparallel.pth'), join(dir, 'parallel'));
    const legacy = await convertTorchCheckpoint(join(FIXTURE, 'net_G_legacy.pth'), join(dir, 'legacy'));
    assert.is(parallel.source.strippedPrefix, 'module.', '~> prefix stripped');
    assert.equal(parallel.source.droppedKeys, ['resnet_blocks.0.conv1_norm.running_mean', 'resnet_blocks.0.conv1_norm.running_var', 'resnet_blocks.0.conv1_norm.num_batches_tracked'], '~> running stats dropped');
    assert.is(legacy.source.format, 'legacy', '~> legacy format read');
    const [a, b] = await Promise.all([readConvertedWeights(join(dir, 'parallel')), readConvertedWeights(join(dir, 'legacy'))]);
    assert.equal([...a.keys()], [...b.keys()], '~> same names in the same order');
    for (const [name, t] of a) {
      assert.equal(t.shape, b.get(name)!.shape, `~> ${name} shape`);
      assert.is(maxAbsDiff(t.data, b.get(name)!.data), 0, `~> ${name} values`);
    }
  });
});

convertSuite('~> damaged or missing files fail with an error naming the file', async () => {
  await withTemp(async (dir) => {
    const golden = await readFile(join(FIXTURE, 'net_G.pth'));
    const truncated = join(dir, 'truncated.pth');
    await writeFile(truncated, golden.subarray(0, golden.byteLength >> 1));
    const garbage = join(dir, 'garbage.pth');
    await writeFile(garbage, 'not a checkpoint');
    for (const [file, pattern] of [[truncated, /truncated\.pth'.*zip archive/], [garbage, /garbage\.pth'.*PyTorch checkpoint/]] as const) {
      try {
        await convertTorchCheckpoint(file, join(dir, 'out'));
        assert.unreachable('should have thrown');
      } catch (error) {
        assert.instance(error, ReproError);
        assert.is((error as ReproError).code, 'CHECKPOINT_INVALID', '~> code');
        assert.match((error as Error).message, pattern);
      }
    }
    try {
      await convertTorchCheckpoint(join(dir, 'missing.pth'), join(dir, 'out'));
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.is((error as ReproError).code, 'DATA_MISSING', '~> missing file');
      assert.match((error as Error).message, /missing\.pth' expected to exist/);
    }
  });
});

convertSuite.run();

// ---
const readSuite = suite('readConvertedWeights');

readSuite('~> rejects a weights file of the wrong length', async () => {
  await withTemp(async (dir) => {
    await convertTorchCheckpoint(join(FIXTURE, 'net_G_legacy.pth'), dir);
    const bin = join(dir, 'generator.bin');
    await copyFile(bin, `${bin}.full`);
    await writeFile(bin, (await readFile(`${bin}.full`)).subarray(8));
    try {
      await readConvertedWeights(dir);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.match((error as Error).message, /generator\.bin' expected \d+ bytes for 22 tensors, received \d+/);
    }
  });
});

readSuite.run();

// ---
const applySuite = suite('applyConvertedGenerator');

applySuite('~> a generator of another size matches nothing and says so', async () => {
  await withTemp(async (dir) => {
    await convertTorchCheckpoint(join(FIXTURE, 'net_G_legacy.pth'), dir);
    const weights = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 1, scope: 'other-size' });
    const converted = await readConvertedWeights(dir);
    assert.throws(() => applyConvertedGenerator(tf, weights, converted), /matched none \(checkpoint conv1 \[7, 7, 3, 1\]\)/);
    disposeWeights(weights);
  });
});

applySuite('~> a checkpoint with more blocks loads the shared ones and lists the rest as unused', async () => {
  await withTemp(async (dir) => {
    await convertTorchCheckpoint(join(FIXTURE, 'net_G.pth'), dir);
    const weights = createGeneratorWeights(tf, { ngf: 2, blocks: 1, seed: 1, scope: 'fewer-blocks' });
    const applied = applyConvertedGenerator(tf, weights, await readConvertedWeights(dir));
    assert.equal(applied.unused, ['resnet_blocks.1.conv1.weight', 'resnet_blocks.1.conv1.bias', 'resnet_blocks.1.conv2.weight', 'resnet_blocks.1.conv2.bias'], '~> unused');
    assert.equal(applied.reinitialised, [], '~> reinitialised');
    disposeWeights(weights);
  });
});

applySuite.run();
