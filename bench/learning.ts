/**
 * Does the translator learn? A development benchmark on real faces (never in tests; nothing from it is
 * committed): the first `photos` unmasked photos by name of `$REPRO_DEV_DATA/faces-unmasked` go through
 * filter → warp → split (a fifth held out) → nonmask-tensor, the first `photos` real masked photos of
 * `$REPRO_DEV_DATA/faces-real-masked` through filter (mask 'require') as domain B, and then twelve training
 * variants run the same fixed step budget from the same seed, each scored by `evaluate` on the held-out
 * faces at every kept epoch:
 *   reference   — the official settings: no NMC, no attention supervision, no noise, deconv decoders
 *   + NMC       — λNMC 10 from the first epoch
 *   + attention — and attention supervision λ 1 (1 − A10 against the mask region)
 *   + resize-conv — and the decoders upsample by resize-conv instead of deconv
 *   + leaky     — and the attention decoder uses LeakyReLU (0.2), so no A10 pixel can go bias-only
 *   + prior     — and the background attention starts at A10 = 0.5 instead of 0.1 (`attentionPrior`)
 *   prior-relu  — the same prior with the reference's ReLU attention decoder (+ resize-conv's settings)
 *   prior-decay — prior, with the official schedule's shape: the base rate for the first half of the
 *                 epochs, then linear decay (the variants above keep the base rate throughout)
 *   prior-att10 — prior with attention supervision λ 10 (the demo's weight) instead of 1
 *   prior-noise — prior-decay with noise injection (c2, after the activation, σ 0.1) in the decaying half,
 *                 as the demo and the paper do: diversity scored (3 samples)
 *   att10-noise — prior-noise with attention supervision λ 10: the demo's recipe on real faces
 *   residual    — att10-noise with `content: 'residual'`: the candidates are a change painted onto the input,
 *                 so the warp's full-resolution detail reaches the mask (KID: does the softness go?)
 * All through `repro run` in a temp project (DVC computes the shared data stages once). The yardstick: the
 * same training faces and real masked faces, decoded and resized to the load size, train the PyTorch
 * reference (bench/torch/train_reference.py: the official settings, architecture and loader) for the same
 * epochs and batch; its kept G_A epochs are converted into this project's generator files, added as
 * `data/torch-reference` and scored by one more `evaluate` stage on a second `repro run` (only that stage
 * runs). Skipped, saying so, without `.venv-torch` (`npm run setup:torch`). Prints, per variant,
 * the curves (epoch, steps, the training probe's attention IoU and NMC error, and on the held-out faces
 * attention IoU, NMC error, KID ± std against the real masked faces — of the outputs, and of the outputs pasted
 * into their inputs inside the grown mask — next to the rule-based warp's KID, and
 * the share of dead A10 pixels overall and in the worst 2×2 phase; KID in thousandths), then one line per
 * variant at the last epoch (KID below the warp's or not, by how many stds), and where the sample grids and
 * the scores (evaluation.json, kid.json) are kept, and what moves KID (kid-sensitivity.ts: the warp's own masks
 * blurred). Goals of a real run (README): IoU ≥ 0.8, NMC error ≤ 0.02,
 * diversity inside ≥ 5× outside, KID below the warp's. Skips, saying so, when the data folder is absent.
 * `REPRO_LEARNING_VARIANTS=leaky,prior` runs only the named variants (without the yardstick);
 * `REPRO_LEARNING_SEED=2` trains from another seed (the data, split and held-out faces stay the same).
 * Usage: REPRO_DEV_DATA=../shared/data npx tsx bench/learning.ts [photos=200] [epochs=12] [size=64] [ngf=32] [keep=/tmp/repro-learning]
 */
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import sharp from 'sharp';
import { makeTmpRepo } from '../test/helpers/tmp-repo.js';
import { printKidSensitivity } from './kid-sensitivity.js';

const data = process.env.REPRO_DEV_DATA;
if (!data || !existsSync(resolve(data, 'faces-unmasked')) || !existsSync(resolve(data, 'faces-real-masked'))) {
  console.log('bench/learning: skipped — set REPRO_DEV_DATA to the development data folder holding faces-unmasked/ and faces-real-masked/ (development data only, never committed)');
  process.exit(0);
}
const [photos, epochs, size, ngf] = [200, 12, 64, 32].map((fallback, i) => Number(process.argv[2 + i] ?? fallback)) as [number, number, number, number];
const keepDir = process.argv[6] ?? '/tmp/repro-learning';

const VARIANTS = [
  { id: 'reference', upsample: 'deconv', nmc: 0, attention: 0, activation: 'relu', prior: 0.1 },
  { id: 'nmc', upsample: 'deconv', nmc: 10, attention: 0, activation: 'relu', prior: 0.1 },
  { id: 'attention', upsample: 'deconv', nmc: 10, attention: 1, activation: 'relu', prior: 0.1 },
  { id: 'resize-conv', upsample: 'resize-conv', nmc: 10, attention: 1, activation: 'relu', prior: 0.1 },
  { id: 'leaky', upsample: 'resize-conv', nmc: 10, attention: 1, activation: 'leaky-relu', prior: 0.1 },
  { id: 'prior', upsample: 'resize-conv', nmc: 10, attention: 1, activation: 'leaky-relu', prior: 0.5 },
  { id: 'prior-relu', upsample: 'resize-conv', nmc: 10, attention: 1, activation: 'relu', prior: 0.5 },
  { id: 'prior-decay', upsample: 'resize-conv', nmc: 10, attention: 1, activation: 'leaky-relu', prior: 0.5, decay: true },
  { id: 'prior-att10', upsample: 'resize-conv', nmc: 10, attention: 10, activation: 'leaky-relu', prior: 0.5 },
  { id: 'prior-noise', upsample: 'resize-conv', nmc: 10, attention: 1, activation: 'leaky-relu', prior: 0.5, decay: true, noise: true },
  { id: 'att10-noise', upsample: 'resize-conv', nmc: 10, attention: 10, activation: 'leaky-relu', prior: 0.5, decay: true, noise: true },
  { id: 'residual', upsample: 'resize-conv', nmc: 10, attention: 10, activation: 'leaky-relu', prior: 0.5, decay: true, noise: true, content: 'residual' },
] as const;
/** `REPRO_LEARNING_VARIANTS=leaky,prior` runs only those (and not the PyTorch yardstick, which pairs with `reference`). */
const only = process.env.REPRO_LEARNING_VARIANTS?.split(',').map((v) => v.trim()).filter(Boolean);
const unknown = only?.filter((id) => !VARIANTS.some((v) => v.id === id)) ?? [];
if (unknown.length > 0) {
  console.error(`REPRO_LEARNING_VARIANTS expected ids among ${VARIANTS.map((v) => v.id).join(', ')}, received ${unknown.join(', ')}`);
  process.exit(2);
}
/** `REPRO_LEARNING_SEED=2` trains every variant from another seed (the data stages and the held-out split keep seed 1). */
const trainSeed = Number(process.env.REPRO_LEARNING_SEED ?? 1);
if (!Number.isInteger(trainSeed) || trainSeed < 0) {
  console.error(`REPRO_LEARNING_SEED expected a whole number ≥ 0, received ${process.env.REPRO_LEARNING_SEED}`);
  process.exit(2);
}
const variants = only === undefined || only.length === 0 ? VARIANTS : VARIANTS.filter((v) => only.includes(v.id));
const withTorch = variants.some((v) => v.id === 'reference');

const experiment = `import { defineExperiment } from '../src/dsl/index.js';
import { evaluate, filter, nonmaskTensor, progressiveTrain, split, warp } from '../src/stages/index.js';

export default defineExperiment('learning', (x) => {
  const unmasked = x.data('data/unmasked');
  const realMasked = x.data('data/real-masked');
  const faces = x.stage(filter, { inputs: { photos: unmasked }, params: { size: 128, facesPerPhoto: 'one', mask: 'reject' } });
  const fake = x.stage(warp, { inputs: { faces: faces.outputs.aligned, manifest: faces.outputs.manifest }, params: { seed: 1 } });
  const parts = x.stage(split, { inputs: { images: fake.outputs.masked, regions: fake.outputs.regions }, params: { seed: 1, heldOut: 0.2 } });
  const keep = x.stage(nonmaskTensor, { inputs: { regions: parts.outputs.trainRegions }, params: { dilate: 2 } });
  const real = x.stage(filter, { id: 'filter-real', inputs: { photos: realMasked }, params: { size: 128, facesPerPhoto: 'one', mask: 'require' } });
  for (const v of ${JSON.stringify(variants.map((v) => ({ content: 'direct', ...v })))} as const) {
    const phase = { batch: 4, loadSize: ${Math.round(size * 1.125)}, cropSize: ${size}, lambda: { cycle: 10, identity: 0.5, nmc: v.nmc, nmcFromEpoch: 1, attention: v.attention } };
    const trained = x.stage(progressiveTrain, {
      id: 'train-' + v.id,
      inputs: { domainA: parts.outputs.trainImages, keepMaps: keep.outputs.maps, domainB: real.outputs.aligned },
      params: {
        seed: ${trainSeed},
        network: { ngf: ${ngf}, blocks: 6, ndf: ${ngf}, upsample: v.upsample, attentionActivation: v.activation, attentionPrior: v.prior, content: v.content },
        probe: 8,
        keepEvery: 2,
        noiseSamples: 'noise' in v ? 3 : 0,
        phases: 'noise' in v
          ? [
              { ...phase, name: 'train', epochs: ${Math.ceil(epochs / 2)}, lr: { base: 2e-4, policy: 'constant', niter: ${Math.ceil(epochs / 2)}, niterDecay: 0 } },
              { ...phase, name: 'noise', epochs: ${Math.floor(epochs / 2)}, lr: { base: 2e-4, policy: 'linear', niter: 0, niterDecay: ${Math.floor(epochs / 2)} }, noise: { layers: ['c2'], position: 'postAct', sigma: 0.1 } },
            ]
          : [{ ...phase, name: 'train', epochs: ${epochs}, lr: 'decay' in v ? { base: 2e-4, policy: 'linear', niter: ${Math.ceil(epochs / 2)}, niterDecay: ${Math.floor(epochs / 2)} } : { base: 2e-4, policy: 'constant', niter: ${epochs}, niterDecay: 0 } }],
      },
    });
    x.stage(evaluate, {
      id: 'evaluate-' + v.id,
      inputs: { generators: trained.outputs.generators, images: parts.outputs.heldOutImages, regions: parts.outputs.heldOutRegions, real: real.outputs.aligned },
      params: { seed: 1, size: ${size}, samples: 'noise' in v ? 3 : 0 },
    });
  }
  // TORCH_REFERENCE
});
`;
const torchStage = `x.stage(evaluate, {
    id: 'evaluate-torch-reference',
    inputs: { generators: x.data('data/torch-reference'), images: parts.outputs.heldOutImages, regions: parts.outputs.heldOutRegions, real: real.outputs.aligned },
    params: { seed: 1, size: ${size}, samples: 0 },
  });`;
const torchPython = resolve('.venv-torch/bin/python');
const loadSize = Math.round(size * 1.125);

/** Every image of `folder` resized to load × load RGB, back to back: the yardstick's uint8 [N, L, L, 3] input. */
async function packImages(folder: string, path: string): Promise<number> {
  const names = (await readdir(folder)).filter((n) => /\.png$/i.test(n)).sort();
  const buffers = await Promise.all(names.map((n) => sharp(join(folder, n)).removeAlpha().resize(loadSize, loadSize, { fit: 'fill' }).raw().toBuffer()));
  await writeFile(path, Buffer.concat(buffers));
  return names.length;
}

const pickFirst = async (folder: string) => (await readdir(folder)).filter((n) => /\.(jpe?g|png|webp)$/i.test(n)).sort().slice(0, photos);
const repo = await makeTmpRepo({ files: { 'experiments/learning.ts': experiment } });
const started = performance.now();
try {
  for (const [from, to] of [['faces-unmasked', 'data/unmasked'], ['faces-real-masked', 'data/real-masked']] as const) {
    await mkdir(join(repo.root, to), { recursive: true });
    for (const name of await pickFirst(resolve(data, from))) await cp(resolve(data, from, name), join(repo.root, to, name));
    await repo.dvc('add', to);
  }
  console.log(`bench/learning: ${photos} unmasked + ${photos} real masked photos, ${size}², ngf ${ngf}, 6 blocks, batch 4, ${epochs} epochs per variant (${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}); project ${repo.root}`);
  const run = await repo.repro('run', 'learning');
  if (run.exitCode !== 0) throw new Error(`repro run learning failed:\n${run.stderr.split('\n').slice(-30).join('\n')}`);
  let torchNote = 'PyTorch yardstick skipped: no .venv-torch (run `npm run setup:torch`)';
  if (!withTorch) torchNote = 'PyTorch yardstick skipped: REPRO_LEARNING_VARIANTS leaves out the reference it pairs with';
  else if (existsSync(torchPython)) {
    const torchStarted = performance.now();
    const trainA = await packImages(join(repo.root, 'out/learning/split/trainImages'), join(repo.root, 'a.u8'));
    const domainB = await packImages(join(repo.root, 'out/learning/filter-real/aligned'), join(repo.root, 'b.u8'));
    console.log(`PyTorch reference: ${trainA} training faces, ${domainB} real masked faces at ${loadSize}² → ${size}² crops`);
    await execa(torchPython, [
      resolve('bench/torch/train_reference.py'), '--a', join(repo.root, 'a.u8'), '--b', join(repo.root, 'b.u8'), '--out', join(repo.root, 'data/torch-reference'),
      '--load-size', String(loadSize), '--size', String(size), '--ngf', String(ngf), '--ndf', String(ngf), '--blocks', '6', '--batch', '4',
      '--epochs', String(epochs), '--keep-every', '2', '--seed', '1',
    ], { stdout: 'inherit', stderr: 'inherit' });
    await repo.dvc('add', 'data/torch-reference');
    await repo.write('experiments/learning.ts', experiment.replace('// TORCH_REFERENCE', torchStage));
    const second = await repo.repro('run', 'learning');
    if (second.exitCode !== 0) throw new Error(`repro run learning (the yardstick's evaluate) failed:\n${second.stderr.split('\n').slice(-30).join('\n')}`);
    torchNote = `PyTorch yardstick: ${((performance.now() - torchStarted) / 60_000).toFixed(1)} min (training, conversion, evaluate)`;
  }
  const minutes = (performance.now() - started) / 60_000;
  const split = JSON.parse(await repo.read('reports/learning/split/split.json')) as { train: number; heldOut: number };
  const realCount = JSON.parse(await repo.read('reports/learning/filter-real/counts.json')) as { kept: number };
  console.log(`faces: ${split.train} to train on, ${split.heldOut} held out; ${realCount.kept} real masked faces; ${epochs * Math.ceil(split.train / 4)} steps per variant; ${minutes.toFixed(1)} min in all\n`);
  const summary: string[] = [];
  console.log(torchNote);
  const rows = [
    ...variants.map((v) => ({ id: v.id, label: `upsample ${v.upsample}, attention decoder ${v.activation}, A10 starts at ${v.prior}, λNMC ${v.nmc}, λattention ${v.attention}${'content' in v ? `, ${v.content} content` : ''}`, torch: false })),
    ...(existsSync(join(repo.root, 'reports/learning/evaluate-torch-reference')) ? [{ id: 'torch-reference', label: 'the official PyTorch code and settings, same faces, epochs and batch', torch: true }] : []),
  ];
  for (const v of rows) {
    const quality = v.torch ? [] : JSON.parse(await repo.read(`reports/learning/train-${v.id}/plots/quality.json`)) as Record<string, number>[];
    const kid = JSON.parse(await repo.read(`reports/learning/evaluate-${v.id}/plots/kid.json`)) as Record<string, number>[];
    const evaluation = JSON.parse(await repo.read(`reports/learning/evaluate-${v.id}/evaluation.json`)) as Record<string, Record<string, number>>;
    const train = { epochs: kid.length === 0 ? 0 : kid[kid.length - 1]!.epoch! };
    console.log(`${v.id} (${v.label})`);
    console.log('  epoch | probe IoU  NMC err | held-out IoU  NMC err  KID×10³ ± std    pasted ± std     warp KID×10³   A10 dead  worst phase  diversity in/out');
    for (const row of kid) {
      const epoch = row.epoch!;
      const probe = quality.find((q) => q.epoch === epoch) ?? {};
      const held = evaluation[`epoch-${String(epoch).padStart(4, '0')}`] ?? {};
      const worst = Math.max(...['collapse00', 'collapse01', 'collapse10', 'collapse11'].map((k) => held[k] ?? 0));
      console.log(`  ${String(epoch).padStart(5)} | ${fmt(probe.attentionIoU, 3).padStart(9)} ${fmt(probe.nmcError, 4).padStart(8)} | ${fmt(held.attentionIoU, 3).padStart(12)} ${fmt(held.nmcError, 4).padStart(8)}  ${`${milli(held.kid)} ± ${milli(held.kidStd)}`.padEnd(15)}  ${`${milli(held.kidPasted)} ± ${milli(held.kidPastedStd)}`.padEnd(15)}  ${milli(row.kidBaseline).padStart(12)}  ${pct(held.collapseDead).padStart(8)}  ${pct(worst).padStart(10)}  ${fmt(held.diversityRatio, 2).padStart(16)}`);
    }
    const last = evaluation.last ?? {};
    summary.push(`${v.id.padEnd(16)} IoU ${fmt(last.attentionIoU, 3)}  NMC ${fmt(last.nmcError, 4)}  KID×10³ ${milli(last.kid)} ± ${milli(last.kidStd)} (warp ${milli(evaluation.baseline?.kid)}: ${kidVerdict(last.kid, last.kidStd, evaluation.baseline?.kid)}; pasted inside the mask ${milli(last.kidPasted)} ± ${milli(last.kidPastedStd)}: ${kidVerdict(last.kidPasted, last.kidPastedStd, evaluation.baseline?.kid)})  A10 dead ${pct(last.collapseDead)}  diversity in/out ${fmt(last.diversityRatio, 2)}  epochs ${train.epochs}`);
    if (keepDir) {
      await mkdir(join(keepDir, v.id), { recursive: true });
      await cp(join(repo.root, 'out', 'learning', `evaluate-${v.id}`, 'grid.png'), join(keepDir, v.id, 'held-out-grid.png')).catch(() => undefined);
      const samples = join(repo.root, 'out', 'learning', `train-${v.id}`, 'samples');
      const grids = existsSync(samples) ? (await readdir(samples)).sort() : [];
      if (grids.length > 0) await cp(join(samples, grids[grids.length - 1]!), join(keepDir, v.id, 'probe-grid.png'));
      // the scores themselves, at full precision, for figures quoted later
      await cp(join(repo.root, 'reports', 'learning', `evaluate-${v.id}`, 'evaluation.json'), join(keepDir, v.id, 'evaluation.json'));
      await cp(join(repo.root, 'reports', 'learning', `evaluate-${v.id}`, 'plots', 'kid.json'), join(keepDir, v.id, 'kid.json'));
    }
  }
  console.log(`\nlast epoch, held-out faces:\n  ${summary.join('\n  ')}`);
  console.log(`goals of a real run: IoU ≥ 0.8, NMC error ≤ 0.02, diversity inside ≥ 5× outside, KID below the warp's`);
  if (keepDir) console.log(`grids (held-out inputs | outputs per kept epoch; last probe grid) in ${keepDir}/<variant>/`);
  console.log('');
  await printKidSensitivity(join(repo.root, 'out', 'learning'), size, variants.map((v) => join(repo.root, 'out', 'learning', `train-${v.id}`, 'generators')));
} finally {
  await repo.remove();
}

function fmt(v: number | null | undefined, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—';
}

/** KID in thousandths, three decimals: at this scale KID is a few ×10⁻⁴ and four decimals hide the comparison. */
function milli(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? (v * 1000).toFixed(3) : '—';
}

/** Whether the augmented set's KID is below the warp's, and by how many of its subset stds. */
function kidVerdict(kid: number | undefined, std: number | undefined, warp: number | undefined): string {
  if (kid === undefined || warp === undefined || std === undefined) return 'not scored';
  const spread = std > 0 ? ` (${((warp - kid) / std).toFixed(1)} std)` : '';
  return kid < warp ? `below${spread}` : `not below${spread}`;
}

function pct(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '—';
}
