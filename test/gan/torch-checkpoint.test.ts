/**
 * Checkpoint conversion against real PyTorch output, without torch: test/fixtures/attentiongan-tiny holds
 * checkpoints written by `torch.save` and torch's forward pass on a fixed input (scripts/make-converter-fixture.py).
 * The converter writes the project's own generator files: the golden generator converted with the project's
 * `.venv` python and transferred into our tfjs generator (the path every generator file takes) gives torch's
 * output and attention maps within 1e-4; the geo checkpoint loads everything but its 30-channel
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
import { convertTorchCheckpoint } from '../../src/gan/torch-checkpoint.js';
import { readGeneratorWeights, transferGeneratorWeights, type GeneratorFile } from '../../src/gan/generator-weights.js';
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

/** Transfers the generator files of `dir` into `weights`, disposing what was read. */
async function transfer(weights: Parameters<typeof transferGeneratorWeights>[1], dir: string) {
  const { tensors } = await readGeneratorWeights(tf, dir);
  try {
    return transferGeneratorWeights(tf, weights, tensors);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

function pickArchitecture(file: GeneratorFile) {
  return { contentChannels: file.source?.contentChannels, attentionMaps: file.source?.attentionMaps, variant: file.source?.variant, format: file.source?.format };
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
    assert.equal(manifest.config, { ngf: 2, blocks: 2 }, '~> config');
    assert.equal(pickArchitecture(manifest), { contentChannels: 27, attentionMaps: 10, variant: 'standard', format: 'zip' }, '~> source');
    const shapes = new Map(manifest.manifest.map((e) => [e.name, e.shape]));
    assert.equal(shapes.get('deconv1_content/kernel'), [3, 3, 4, 8], '~> transposed kernel [kh, kw, out, in]');
    assert.equal(shapes.get('conv2/kernel'), [3, 3, 2, 4], '~> conv kernel [kh, kw, in, out]');

    const weights = createGeneratorWeights(tf, { ngf: 2, blocks: 2, seed: 9, scope: 'golden' });
    const applied = await transfer(weights, dir);
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
    assert.is(manifest.source?.variant, 'geo', '~> variant');
    assert.is(manifest.source?.contentChannels, 30, '~> 30 content channels');
    const weights = createGeneratorWeights(tf, { ngf: 1, blocks: 1, seed: 5, scope: 'geo' });
    const seeded = createGeneratorWeights(tf, { ngf: 1, blocks: 1, seed: 5, scope: 'geo-seeded' });
    const applied = await transfer(weights, dir);
    assert.equal(applied.reinitialised, ['deconv3_content/kernel', 'deconv3_content/bias'], '~> reinitialised');
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
    assert.is(parallel.source?.strippedPrefix, 'module.', '~> prefix stripped');
    assert.equal(parallel.source?.droppedKeys, ['resnet_blocks.0.conv1_norm.running_mean', 'resnet_blocks.0.conv1_norm.running_var', 'resnet_blocks.0.conv1_norm.num_batches_tracked'], '~> running stats dropped');
    assert.is(legacy.source?.format, 'legacy', '~> legacy format read');
    const [a, b] = await Promise.all([readGeneratorWeights(tf, join(dir, 'parallel')), readGeneratorWeights(tf, join(dir, 'legacy'))]);
    assert.equal([...a.tensors.keys()], [...b.tensors.keys()], '~> same names in the same order');
    for (const [name, t] of a.tensors) {
      assert.equal(t.shape, b.tensors.get(name)!.shape, `~> ${name} shape`);
      assert.is(maxAbsDiff(t.dataSync(), b.tensors.get(name)!.dataSync()), 0, `~> ${name} values`);
    }
    tf.dispose([...a.tensors.values(), ...b.tensors.values()]);
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
const readSuite = suite('readGeneratorWeights (converted)');

readSuite('~> rejects a weights file of the wrong length', async () => {
  await withTemp(async (dir) => {
    await convertTorchCheckpoint(join(FIXTURE, 'net_G_legacy.pth'), dir);
    const bin = join(dir, 'generator.bin');
    await copyFile(bin, `${bin}.full`);
    await writeFile(bin, (await readFile(`${bin}.full`)).subarray(8));
    try {
      await readGeneratorWeights(tf, dir);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.match((error as Error).message, /generator\.bin' expected \d+ bytes for 22 tensors, received \d+/);
    }
  });
});

readSuite.run();

// ---
const transferSuite = suite('transferGeneratorWeights (converted)');

transferSuite('~> a generator of another size matches nothing and says so', async () => {
  await withTemp(async (dir) => {
    await convertTorchCheckpoint(join(FIXTURE, 'net_G_legacy.pth'), dir);
    const weights = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 1, scope: 'other-size' });
    try {
      await transfer(weights, dir);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.match((error as Error).message, /matched none \(source conv1 \[7, 7, 3, 1\]\)/);
    }
    disposeWeights(weights);
  });
});

transferSuite('~> a checkpoint with more blocks loads the shared ones and lists the rest as unused', async () => {
  await withTemp(async (dir) => {
    await convertTorchCheckpoint(join(FIXTURE, 'net_G.pth'), dir);
    const weights = createGeneratorWeights(tf, { ngf: 2, blocks: 1, seed: 1, scope: 'fewer-blocks' });
    const applied = await transfer(weights, dir);
    assert.equal(applied.unused, ['resnet_blocks.1.conv1/kernel', 'resnet_blocks.1.conv1/bias', 'resnet_blocks.1.conv2/kernel', 'resnet_blocks.1.conv2/bias'], '~> unused');
    assert.equal(applied.reinitialised, [], '~> reinitialised');
    disposeWeights(weights);
  });
});

transferSuite.run();
