/**
 * `pretrain-from-multi-face`, all three methods on tiny networks: `pretrain` trains on tiles of generated
 * "group photos" and writes G_A/G_B, transfer.json and loss rows; `tfjs` loads that output back (every
 * layer loaded), and into a network with more blocks lists the extra blocks as re-initialised; `torch`
 * converts the committed AttentionGAN fixtures (made with real PyTorch) — the geo variant's 30-channel
 * content layer is re-initialised and named — and a folder without a checkpoint gets a clear error.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pretrainFromMultiFace, type TransferReport } from '../../src/stages/pretrain-from-multi-face.js';
import { runStageDirectly } from '../helpers/run-stage.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'attentiongan-tiny');

/** A 96×64 "group photo": gradient background with a few bright discs. */
async function groupPhoto(index: number): Promise<Buffer> {
  const width = 96;
  const height = 64;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const disc = [20, 48, 76].some((cx) => (x - cx - index) ** 2 + (y - 30) ** 2 < 100);
      data.set(disc ? [230, 190, 160] : [(x * 2 + index * 40) % 256, y * 3, 100], (y * width + x) * 3);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

async function report(weights: string): Promise<TransferReport> {
  return JSON.parse(await readFile(join(weights, 'transfer.json'), 'utf8')) as TransferReport;
}

const pretrain = suite<{ root: string }>('pretrain-from-multi-face');

pretrain.before(async (context) => {
  context.root = await mkdtemp(join(tmpdir(), 'repro-pretrain-'));
  await mkdir(join(context.root, 'photos'));
  for (const i of [0, 1]) await writeFile(join(context.root, 'photos', `group-${i}.png`), await groupPhoto(i));
});
pretrain.after(async ({ root }) => rm(root, { recursive: true, force: true }));

const NETWORK = { ngf: 2, blocks: 1, ndf: 2 };

pretrain('~> pretrain: trains on multi-face tiles and writes both generators', async ({ root }) => {
  const weights = join(root, 'pretrained');
  const result = await runStageDirectly(
    pretrainFromMultiFace,
    { method: 'pretrain', seed: 1, network: NETWORK, pretrain: { epochs: 2, tiles: 4, size: 24, batch: 2, lr: 2e-4, nmc: 10 } },
    { inputs: { photos: join(root, 'photos') }, outputs: { weights } },
  );
  assert.equal((await readdir(weights)).sort(), ['G_A', 'G_B', 'transfer.json']);
  assert.equal((await readdir(join(weights, 'G_A'))).sort(), ['generator.bin', 'generator.json']);
  assert.is((await report(weights)).method, 'pretrain');
  assert.is(result.plots?.losses?.length, 2, '~> one loss row per epoch');
  assert.ok(Number.isFinite(Number(result.plots?.losses?.[1]?.nmc)), '~> the NMC term was computed on the occluder maps');
});

pretrain('~> tfjs: loads that output fully; a bigger network keeps its extra block at the seeded init', async ({ root }) => {
  const same = join(root, 'tfjs-same');
  await runStageDirectly(pretrainFromMultiFace, { method: 'tfjs', seed: 2, network: NETWORK }, { inputs: { checkpoint: join(root, 'pretrained') }, outputs: { weights: same } });
  const full = await report(same);
  assert.equal(full.generators.G_A.reinitialised, []);
  assert.is(full.generators.G_A.loaded, 2 * (3 + 2 + 6));
  assert.equal(await readFile(join(same, 'G_A', 'generator.bin')), await readFile(join(root, 'pretrained', 'G_A', 'generator.bin')), '~> identical weights');

  const bigger = join(root, 'tfjs-bigger');
  await runStageDirectly(pretrainFromMultiFace, { method: 'tfjs', seed: 2, network: { ...NETWORK, blocks: 2 } }, { inputs: { checkpoint: join(root, 'pretrained') }, outputs: { weights: bigger } });
  assert.equal((await report(bigger)).generators.G_B.reinitialised, ['resnet_blocks.1.conv1/kernel', 'resnet_blocks.1.conv1/bias', 'resnet_blocks.1.conv2/kernel', 'resnet_blocks.1.conv2/bias']);
});

pretrain('~> torch: converts a PyTorch checkpoint folder; the geo variant re-initialises the content layer', async ({ root }) => {
  const folder = join(root, 'torch');
  await mkdir(folder);
  await cp(join(FIXTURES, 'net_G.pth'), join(folder, 'latest_net_G_A.pth'));
  await cp(join(FIXTURES, 'net_G.pth'), join(folder, 'latest_net_G_B.pth'));
  const weights = join(root, 'torch-out');
  const result = await runStageDirectly(pretrainFromMultiFace, { method: 'torch', seed: 1, network: { ngf: 2, blocks: 2, ndf: 2 } }, { inputs: { checkpoint: folder }, outputs: { weights } });
  assert.equal((await report(weights)).generators.G_A.reinitialised, []);
  assert.is((result.metrics?.transfer as { loadedA: number }).loadedA, 2 * (3 + 4 + 6));

  const geo = join(root, 'geo');
  await mkdir(geo);
  await cp(join(FIXTURES, 'net_G_geo.pth'), join(geo, 'net_G_geo.pth'));
  const geoOut = join(root, 'geo-out');
  await runStageDirectly(pretrainFromMultiFace, { method: 'torch', seed: 1, network: { ngf: 1, blocks: 1, ndf: 1 } }, { inputs: { checkpoint: geo }, outputs: { weights: geoOut } });
  const geoReport = await report(geoOut);
  assert.equal(geoReport.generators.G_A.reinitialised, ['deconv3_content/kernel', 'deconv3_content/bias']);
  assert.is(geoReport.generators.G_B.source, 'seeded init (no checkpoint for it)');
});

pretrain('~> bad input: no checkpoint in the folder, or a method without its input, is named', async ({ root }) => {
  const empty = join(root, 'empty');
  await mkdir(empty);
  const attempt = (params: object, inputs: Record<string, string>) =>
    runStageDirectly(pretrainFromMultiFace, params, { inputs, outputs: { weights: join(root, 'never') } }).then(() => '', (e: unknown) => String(e));
  assert.match(await attempt({ method: 'torch', seed: 1, network: NETWORK }, { checkpoint: empty }), /expected '\*net_G_A\.pth' \(and '\*net_G_B\.pth'\) or a single \.pth, received no \.pth file/);
  assert.match(await attempt({ method: 'pretrain', seed: 1, network: NETWORK }, {}), /method 'pretrain' expected the photos input, received none/);
});

pretrain.run();
