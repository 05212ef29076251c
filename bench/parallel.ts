/**
 * How much `repro run -j 2` saves on 2 cores, and what a stage costs on Slurm. In a fresh clone of this
 * repository (its node_modules, .venv and demo data linked in), two experiments:
 *   - `pair`: the independent part alone — the paper's two `filter` stages: on the first `photos` unmasked
 *     and real-masked photos of `$REPRO_DEV_DATA` (../shared/data, development only, copied into the temp
 *     clone and never committed), else both on the demo photos at two crop sizes;
 *   - `pair1`: the same two filters given one core each (`resources: { cpus: 1 }`: TensorFlow's thread
 *     pools sized to one thread), so `-j 2` runs them side by side; also printed against `pair -j 1`;
 *   - `scale`: the paper-shaped graph at a small size — two filters, warp, split, nonmask-tensor and a
 *     short progressive-train (ngf 8, 2 epochs at 32²).
 * Each is run once to warm the caches, then timed end to end (process start included) with `--force`
 * (every stage reruns, DVC's run cache is not used), `-j 1` (DVC runs the stages one by one) against
 * `-j 2` (changed stages in parallel within the 2 cores), alternating, `rounds` times; medians printed
 * with the ratio -j 2 ÷ -j 1 (goal ≤ 0.6 for the independent part), and for the two filters alone, from the
 * run records' stage times: their sum under -j 1 against their span under -j 2. Where a Slurm cluster answers
 * (`sinfo`, e.g. the test helper's single-node cluster started by this script when the binaries exist),
 * `scale` also runs with `--executor slurm`, and the overhead per stage is (Slurm − local -j 2) ÷ stages.
 * Usage: [REPRO_DEV_DATA=../shared/data] npx tsx bench/parallel.ts [rounds=2] [photos=80]
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { LOG_DIR } from '../src/runtime/compile/paths.js';
import { readRunRecords } from '../src/runtime/runs/run-record.js';
import { startSlurmCluster } from '../test/helpers/slurm-cluster.js';

const rounds = Number(process.argv[2] ?? 2);
const photos = Number(process.argv[3] ?? 80);
const devData = process.env.REPRO_DEV_DATA ? resolve(process.env.REPRO_DEV_DATA) : undefined;
const source = resolve('.');
const work = await mkdtemp(join(tmpdir(), 'repro-bench-parallel-'));
const root = join(work, 'lab');
let env: Record<string, string | undefined> = { ...process.env, DVC_NO_ANALYTICS: '1', NO_COLOR: '1' };
const repro = (...args: string[]) => execa(process.execPath, [join(root, 'bin', 'repro.mjs'), ...args], { cwd: root, env, reject: false, all: true });

/** Where the two filters read: the dev photos when there, else the demo photos twice (other crop sizes). */
const [unmasked, masked, realSize] = devData ? ['data/bench/unmasked', 'data/bench/masked', 128] : ['data/demo/photos', 'data/demo/photos', 96];
const filtersWith = (resources: string) => `const faces = x.stage(filter, { inputs: { photos: x.data('${unmasked}') }, params: { size: 128, facesPerPhoto: 'all', minFaceSize: 40 }${resources} });
  const real = x.stage(filter, { id: 'filter-real', inputs: { photos: x.data('${masked}') }, params: { size: ${realSize}, facesPerPhoto: 'all', minFaceSize: 40${devData ? ", mask: 'require'" : ''} }${resources} });`;
const filters = filtersWith('');

const pairExperiment = (name: string, resources: string) => `import { defineExperiment } from '../src/dsl/index.js';
import { filter } from '../src/stages/index.js';

export default defineExperiment('${name}', (x) => {
  ${filtersWith(resources)}
});
`;
/** The filters as declared (`cpus: 'all'`: one after the other) and given one core each (TensorFlow's pools sized to 1: side by side). */
const PAIR = pairExperiment('pair', '');
const PAIR_ONE_CORE = pairExperiment('pair1', ', resources: { cpus: 1 }');

const SCALE = `import { defineExperiment } from '../src/dsl/index.js';
import { filter, nonmaskTensor, progressiveTrain, split, warp } from '../src/stages/index.js';

export default defineExperiment('scale', (x) => {
  ${filters}
  const fake = x.stage(warp, { inputs: { faces: faces.outputs.aligned, manifest: faces.outputs.manifest }, params: { seed: 1 } });
  const parts = x.stage(split, { inputs: { images: fake.outputs.masked, regions: fake.outputs.regions }, params: { seed: 1, heldOut: 0.2 } });
  const keep = x.stage(nonmaskTensor, { inputs: { regions: parts.outputs.trainRegions }, params: { dilate: 2 } });
  x.stage(progressiveTrain, {
    inputs: { domainA: parts.outputs.trainImages, keepMaps: keep.outputs.maps, domainB: real.outputs.aligned },
    params: {
      seed: 1,
      network: { ngf: 8, blocks: 2, ndf: 8, upsample: 'resize-conv' },
      probe: 2,
      keepEvery: 2,
      phases: [{ name: 'short', epochs: 2, batch: 2, loadSize: 36, cropSize: 32, lr: { base: 2e-4, policy: 'constant', niter: 2, niterDecay: 0 }, lambda: { cycle: 10, identity: 0.5, nmc: 10, nmcFromEpoch: 1, attention: 0 } }],
    },
  });
});
`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(...args: string[]): Promise<number> {
  const started = performance.now();
  const result = await repro(...args);
  if (result.exitCode !== 0) throw new Error(`repro ${args.join(' ')} failed:\n${String(result.all).split('\n').slice(-30).join('\n')}`);
  return (performance.now() - started) / 1000;
}

/** Each stage's own wall time (its `repro exec`) in the newest run record. */
async function stageSeconds(): Promise<number[]> {
  const [newest] = await readRunRecords(root);
  return (newest?.stages ?? []).map((s) => s.seconds ?? Number.NaN);
}

/**
 * How long the stages of the newest run took together, from the first start to the last end: each ends at its
 * log's last write (`-j 2` writes one log per stage) and started its own time before that.
 */
async function stageSpan(): Promise<number> {
  const [newest] = await readRunRecords(root);
  const stages = newest?.stages ?? [];
  const ends = await Promise.all(stages.map(async (s) => (await stat(join(root, LOG_DIR, `${s.stage}.log`))).mtimeMs / 1000));
  return Math.max(...ends) - Math.min(...stages.map((s, i) => ends[i]! - (s.seconds ?? Number.NaN)));
}

let cluster: Awaited<ReturnType<typeof startSlurmCluster>> | undefined;
try {
  await execa('git', ['clone', '-q', source, root]);
  for (const linked of ['node_modules', '.venv']) await symlink(join(source, linked), join(root, linked));
  if (!existsSync(join(source, 'data', 'demo'))) throw new Error('bench/parallel: run `npm install` first (it puts the demo photos in data/demo)');
  await cp(join(source, 'data'), join(root, 'data'), { recursive: true });
  if (devData) {
    for (const [from, to] of [['faces-unmasked', 'unmasked'], ['faces-real-masked', 'masked']] as const) {
      const names = (await readdir(join(devData, from))).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort().slice(0, photos);
      await mkdir(join(root, 'data', 'bench', to), { recursive: true });
      for (const name of names) await cp(join(devData, from, name), join(root, 'data', 'bench', to, name));
    }
  }
  for (const [key, value] of [['user.email', 'bench@repro.invalid'], ['user.name', 'repro bench']] as const) await execa('git', ['config', key, value], { cwd: root });
  await writeFile(join(root, 'experiments', 'pair.ts'), PAIR);
  await writeFile(join(root, 'experiments', 'pair1.ts'), PAIR_ONE_CORE);
  await writeFile(join(root, 'experiments', 'scale.ts'), SCALE);
  await execa('git', ['add', '-A'], { cwd: root });
  await execa('git', ['commit', '-q', '-m', 'bench experiments'], { cwd: root });
  console.log(`bench/parallel: ${availableParallelism()} cores, ${rounds} rounds, medians of end-to-end wall time (process start included); filters on ${devData ? `the first ${photos} unmasked and ${photos} real-masked photos of ${devData}` : 'the 6 demo photos'}`);

  const results: Record<string, { one: number; two: number; stages: number }> = {};
  for (const experiment of ['pair', 'pair1', 'scale']) {
    await timed('run', experiment, '--no-exp', '-j', '2');
    const one: number[] = [];
    const two: number[] = [];
    // The independent part alone, from the run records: -j 1 runs the two filters one after the other (their
    // sum); under -j 2 they run side by side or one after the other, as their cores allow (their span).
    const part: { one: number[]; two: number[] } = { one: [], two: [] };
    for (let round = 0; round < rounds; round += 1) {
      one.push(await timed('run', experiment, '--no-exp', '--force', '-j', '1'));
      part.one.push((await stageSeconds()).reduce((a, b) => a + b, 0));
      two.push(await timed('run', experiment, '--no-exp', '--force', '-j', '2'));
      part.two.push(await stageSpan());
    }
    const stages = experiment === 'scale' ? 6 : 2;
    results[experiment] = { one: median(one), two: median(two), stages };
    console.log(`${experiment.padEnd(6)} (${stages} stages)  -j 1: ${median(one).toFixed(1)} s   -j 2: ${median(two).toFixed(1)} s   ratio -j 2 ÷ -j 1: ${(median(two) / median(one)).toFixed(2)}${experiment !== 'scale' ? '  (goal ≤ 0.6)' : ''}`);
    if (experiment !== 'scale') {
      console.log(`         the filters alone (run records): -j 1 ${median(part.one).toFixed(1)} s (their sum), -j 2 ${median(part.two).toFixed(1)} s (first start to last end), ratio ${(median(part.two) / median(part.one)).toFixed(2)}; the rest of each run (compile, DVC's order and commits, dvc repro) ${(median(one) - median(part.one)).toFixed(1)} s with -j 1, ${(median(two) - median(part.two)).toFixed(1)} s with -j 2`);
    }
  }
  const [pair, pair1] = [results.pair!, results.pair1!];
  console.log(`pair1 -j 2 (one core each, side by side) ÷ pair -j 1 (every core each, one after the other): ${(pair1.two / pair.one).toFixed(2)} — what giving the filters one core buys over the default`);

  cluster = await startSlurmCluster();
  if ('skip' in cluster) {
    console.log(`slurm: not measured — ${cluster.skip}`);
  } else {
    env = { ...env, ...cluster.env };
    const slurm: number[] = [];
    for (let round = 0; round < rounds; round += 1) slurm.push(await timed('run', 'scale', '--no-exp', '--force', '--executor', 'slurm'));
    const local = results.scale!;
    console.log(`slurm  scale --executor slurm: ${median(slurm).toFixed(1)} s against ${local.two.toFixed(1)} s locally with -j 2: overhead ${((median(slurm) - local.two) / local.stages).toFixed(2)} s per stage (single-node cluster on this machine)`);
  }
} finally {
  if (cluster && !('skip' in cluster)) await cluster.stop();
  await rm(work, { recursive: true, force: true });
}
