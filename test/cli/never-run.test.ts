/**
 * The collaborator flow on a project with experiments that never ran — one whose data has not arrived
 * (`waiting`) and one with its data that nobody ran yet (`second`) — next to `lab`, which ran as 'first'.
 * dvc.yaml lists only stages with a result, so plain DVC (`status`, `checkout`, `repro`, `exp show`) works
 * in the origin and in a collaborator's clone, `repro share` → `repro pull` → `repro verify` work, the
 * pulled run carries what `repro exec` reads (plain `dvc repro` can rerun its stages), a `repro run lab`
 * after the pull starts nothing and changes no file, the never-run experiment runs in the clone when
 * asked, and `repro status` says why each left-out stage is pending. Real git, real dvc.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { labFiles } from '../helpers/lab-project.js';
import { cloneTmpRepo, type CloneRepo } from '../helpers/clone-repo.js';
import { makeTmpRepo, must, type CommandOutput, type TmpRepo } from '../helpers/tmp-repo.js';

const WAITING = `import { defineExperiment } from '../src/dsl/index.js';
import { resizeImages } from '../src/stages/index.js';

export default defineExperiment('waiting', (x) => {
  x.stage(resizeImages, { inputs: { images: x.data('data/not-yet') }, params: { width: 8, height: 8 } });
});
`;

/** Same data as lab, other params: compiles to stages of its own that nobody ran. */
const SECOND = `import { defineExperiment } from '../src/dsl/index.js';
import { resizeImages } from '../src/stages/index.js';

export default defineExperiment('second', (x) => {
  x.stage(resizeImages, { inputs: { images: x.data('data/raw') }, params: { width: 6, height: 6 } });
});
`;

interface RunJson {
  ran: string[];
  nothingToRun: boolean;
}

interface StageStatusJson {
  name: string;
  state: string;
  reasons: string[];
}

/** DVC stage names dvc.yaml lists, sorted. */
function listedStages(dvcYaml: string): string[] {
  return [...dvcYaml.matchAll(/^ {2}([\w-]+):$/gm)].map((m) => m[1]!).sort();
}

/** Every file git does not ignore (tracked or not) → its content hash. */
async function workspaceFiles(repo: TmpRepo): Promise<Map<string, string>> {
  const paths = (await must(repo.git('ls-files', '-co', '--exclude-standard'))).stdout.split('\n').filter(Boolean);
  const files = new Map<string, string>();
  for (const path of paths) files.set(path, createHash('md5').update(await readFile(join(repo.root, path))).digest('hex'));
  return files;
}

/** `dvc status`, `checkout`, `repro` and `exp show` each exit 0; `repro` has nothing to do. */
async function assertPlainDvcWorks(repo: TmpRepo, where: string): Promise<void> {
  const calls: [string[], (r: CommandOutput) => void][] = [
    [['status'], () => {}],
    [['checkout'], () => {}],
    [['repro'], (r) => assert.match(r.stdout + r.stderr, /didn't change, skipping|Data and pipelines are up to date/, `~> ${where}: dvc repro has nothing to do`)],
    [['exp', 'show', '--no-pager'], () => {}],
  ];
  for (const [args, check] of calls) {
    const result = await repo.dvc(...args);
    assert.is(result.exitCode, 0, `~> ${where}: dvc ${args.join(' ')} exits 0\n${result.stdout}\n${result.stderr}`);
    assert.not.match(result.stderr, /No file hash info found/, `~> ${where}: dvc ${args.join(' ')} warns about no missing hash`);
    check(result);
  }
}

const flow = suite<{ origin: TmpRepo; folder: string; clone: CloneRepo }>('never-run experiments: share / pull / plain dvc');

flow.before(async (context) => {
  const files = { ...(await labFiles()), 'experiments/waiting.ts': WAITING, 'experiments/second.ts': SECOND };
  context.origin = await makeTmpRepo({ files, dvcAdd: ['data/raw'] });
  await must(context.origin.repro('run', 'lab', '-n', 'first'));
  context.folder = await mkdtemp(join(tmpdir(), 'repro-share-'));
});
flow.after(async ({ origin, folder, clone }) => {
  await origin.remove();
  await clone?.remove();
  await rm(folder, { recursive: true, force: true });
});

flow('dvc.yaml lists only the stages that ran, and says how many are left out', async ({ origin }) => {
  const pipeline = await origin.read('dvc.yaml');
  assert.equal(listedStages(pipeline), ['lab_count-files', 'lab_resize-images', 'lab_summarize']);
  assert.match(pipeline, /^# 2 compiled stages left out until `repro run` runs them/m);
  assert.ok(await origin.exists('.repro/stages/second_resize-images.json'), '~> the never-run experiment is compiled');
  assert.ok(await origin.exists('.repro/stages/waiting_resize-images.json'), '~> so is the one without data');
});

flow('plain dvc status, checkout, repro and exp show work in the origin', async ({ origin }) => {
  await assertPlainDvcWorks(origin, 'origin');
});

flow('repro status names each left-out stage: never ran, or waiting for data', async ({ origin }) => {
  const stages = JSON.parse((await must(origin.repro('status', '--json'))).stdout) as StageStatusJson[];
  const byName = Object.fromEntries(stages.map((s) => [s.name, s]));
  for (const name of ['lab_resize-images', 'lab_count-files', 'lab_summarize']) assert.is(byName[name]?.state, 'up-to-date', `~> ${name}`);
  assert.is(byName['second_resize-images']?.state, 'stale');
  assert.equal(byName['second_resize-images']?.reasons, ['never ran (not in dvc.lock)']);
  assert.is(byName['waiting_resize-images']?.state, 'waiting-for-data');
  assert.equal(byName['waiting_resize-images']?.reasons, ["waiting for data 'data/not-yet' (experiments/waiting.ts:5)"]);
  const why = await must(origin.repro('status', '--why'));
  assert.match(why.stdout, /^second_resize-images\n {2}never ran \(not in dvc\.lock\)$/m);
  assert.match(why.stdout, /^waiting_resize-images {2}\(waiting for data\)\n {2}waiting for data 'data\/not-yet' \(experiments\/waiting\.ts:5\)$/m);
  assert.not.match(why.stdout, /^lab_/m, '~> up-to-date stages are not listed');
});

flow('share, then pull and verify in a fresh clone: no raw DVC text, exit 0', async (context) => {
  const { origin, folder } = context;
  await must(origin.repro('share', 'first', '--to', folder));
  context.clone = await cloneTmpRepo(join(folder, 'git'));
  const clone = context.clone;
  const pulled = await clone.repro('pull', 'first');
  assert.is(pulled.exitCode, 0, pulled.stderr);
  assert.match(pulled.stdout, /pulled run 'first' \(commit [0-9a-f]{7}\)/);
  assert.not.match(pulled.stdout + pulled.stderr, /ERROR|WARNING|No file hash info/, '~> no raw DVC text');
  const verified = await clone.repro('verify', 'first');
  assert.is(verified.exitCode, 0, verified.stderr);
  assert.match(verified.stdout, /^verified run 'first'/m);
});

flow('plain dvc repro reruns a pulled stage before repro compiled anything: the run carries its resolved stages', async ({ clone }) => {
  assert.ok(await clone.exists('.repro/stages/lab_count-files.json'), '~> in the experiment commit, so pulled');
  const before = await workspaceFiles(clone);
  const rerun = await clone.dvc('repro', '--force', '--single-item', 'lab_count-files');
  assert.is(rerun.exitCode, 0, `${rerun.stdout}\n${rerun.stderr}`);
  assert.match(rerun.stdout, /Running stage 'lab_count-files'/);
  assert.equal(await workspaceFiles(clone), before, '~> same bytes: nothing changed');
});

flow('repro run lab in the clone right after pull: nothing to run, nothing changed', async ({ clone }) => {
  const porcelain = (await must(clone.git('status', '--porcelain'))).stdout;
  const before = await workspaceFiles(clone);
  const ran = JSON.parse((await must(clone.repro('run', 'lab', '--json'))).stdout) as RunJson;
  assert.is(ran.nothingToRun, true);
  assert.equal(ran.ran, []);
  assert.is((await must(clone.git('status', '--porcelain'))).stdout, porcelain, '~> git status as after the pull');
  const after = await workspaceFiles(clone);
  for (const [path, md5] of before) assert.is(after.get(path), md5, `~> ${path} unchanged`);
  // The compile adds what the run did not carry: fingerprints and resolved stages of the never-run experiments.
  const added = [...after.keys()].filter((path) => !before.has(path)).sort();
  assert.equal(added, [
    '.repro/fp/second_resize-images.json',
    '.repro/fp/waiting_resize-images.json',
    '.repro/stages/second_resize-images.json',
    '.repro/stages/waiting_resize-images.json',
  ]);
});

flow('plain dvc status, checkout, repro and exp show work in the clone', async ({ clone }) => {
  await assertPlainDvcWorks(clone, 'clone');
});

flow('the never-run experiment with data runs in the clone and joins dvc.yaml', async ({ clone }) => {
  const ran = JSON.parse((await must(clone.repro('run', 'second', '--json'))).stdout) as RunJson;
  assert.is(ran.nothingToRun, false);
  assert.equal(ran.ran, ['second_resize-images']);
  const pipeline = await clone.read('dvc.yaml');
  assert.equal(listedStages(pipeline), ['lab_count-files', 'lab_resize-images', 'lab_summarize', 'second_resize-images']);
  assert.match(pipeline, /^# 1 compiled stage left out until `repro run` runs it/m);
  const status = JSON.parse((await must(clone.repro('status', '--json'))).stdout) as StageStatusJson[];
  assert.is(status.find((s) => s.name === 'second_resize-images')?.state, 'up-to-date');
  await assertPlainDvcWorks(clone, 'clone after running second');
});

flow.run();
