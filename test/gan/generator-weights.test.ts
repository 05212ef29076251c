/**
 * Generator files: an export loads back exactly into a generator of another scope and seed; a generator of
 * another size is refused, naming its keys; the transfer loads each layer that fits, keeps the seeded init for
 * a 30-channel c3 and lists what the target has no place for; a network of another size matches nothing and
 * says so.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { createGeneratorWeights, disposeWeights } from '../../src/gan/generator.js';
import { exportGenerator, loadGeneratorWeights, readGeneratorWeights, transferGeneratorWeights } from '../../src/gan/generator-weights.js';

const tf = await loadTensorflow(detectBackendKind());

const generatorSuite = suite('exportGenerator / loadGeneratorWeights / transferGeneratorWeights');

generatorSuite('~> an export loads back exactly into a generator of another scope and seed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'repro-gen-'));
  const source = createGeneratorWeights(tf, { ngf: 4, blocks: 2, seed: 5, scope: 'export_src' });
  const target = createGeneratorWeights(tf, { ngf: 4, blocks: 2, seed: 6, scope: 'export_dst' });
  try {
    await exportGenerator(tf, source, dir);
    assert.equal((await readdir(dir)).sort(), ['generator.bin', 'generator.json'], '~> two files');
    await loadGeneratorWeights(tf, target, dir);
    source.variables.forEach((v, i) => assert.equal(Array.from(target.variables[i]!.dataSync()), Array.from(v.dataSync()), `~> ${v.name}`));
    const { config, tensors } = await readGeneratorWeights(tf, dir);
    assert.equal(config, { ngf: 4, blocks: 2 }, '~> config');
    assert.ok(tensors.has('resnet_blocks.1.conv2/kernel'), '~> scope-free names');
    tf.dispose([...tensors.values()]);
  } finally {
    disposeWeights(source);
    disposeWeights(target);
    await rm(dir, { recursive: true, force: true });
  }
});

generatorSuite('~> a generator of another size is refused, naming the keys', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'repro-gen-'));
  const source = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 5, scope: 'size_src' });
  const target = createGeneratorWeights(tf, { ngf: 8, blocks: 2, seed: 6, scope: 'size_dst' });
  try {
    await exportGenerator(tf, source, dir);
    let message = '';
    await loadGeneratorWeights(tf, target, dir).catch((error: Error) => { message = error.message; });
    assert.match(message, /'conv1\/kernel' expected \[7, 7, 3, 8\], received \[7, 7, 3, 4\]/);
    assert.match(message, /'resnet_blocks.1.conv1\/kernel' missing/);
  } finally {
    disposeWeights(source);
    disposeWeights(target);
    await rm(dir, { recursive: true, force: true });
  }
});

generatorSuite('~> transfer loads what fits and keeps the seeded init for a 30-channel c3', () => {
  const source = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 5, scope: 'geo_src' });
  const target = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 6, scope: 'geo_dst' });
  const initial = Array.from(target.deconv3Content.kernel.dataSync());
  const named = new Map<string, tfjs.Tensor>(source.variables.map((v) => [v.name.slice('geo_src/'.length), v]));
  const geoKernel = tf.zeros([7, 7, 4, 30]);
  const geoBias = tf.zeros([30]);
  named.set('deconv3_content/kernel', geoKernel);
  named.set('deconv3_content/bias', geoBias);
  named.set('extra/kernel', geoBias);
  try {
    const result = transferGeneratorWeights(tf, target, named);
    assert.equal(result.reinitialised, ['deconv3_content/kernel', 'deconv3_content/bias'], '~> reinitialised');
    assert.is(result.loaded.length, target.variables.length - 2, '~> loaded the rest');
    assert.equal(result.unused, ['extra/kernel'], '~> unused');
    assert.equal(Array.from(target.conv1.kernel.dataSync()), Array.from(source.conv1.kernel.dataSync()), '~> conv1 copied');
    assert.equal(Array.from(target.deconv3Content.kernel.dataSync()), initial, '~> c3 kept its init');
  } finally {
    tf.dispose([geoKernel, geoBias]);
    disposeWeights(source);
    disposeWeights(target);
  }
});

generatorSuite('~> transfer into a network of another size matches nothing and says so', () => {
  const source = createGeneratorWeights(tf, { ngf: 1, blocks: 1, seed: 5, scope: 'small_src' });
  const target = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 6, scope: 'big_dst' });
  const named = new Map<string, tfjs.Tensor>(source.variables.map((v) => [v.name.slice('small_src/'.length), v]));
  try {
    assert.throws(() => transferGeneratorWeights(tf, target, named), /matched none \(source conv1 \[7, 7, 3, 1\]\)/);
  } finally {
    disposeWeights(source);
    disposeWeights(target);
  }
});

generatorSuite.run();
