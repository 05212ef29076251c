/**
 * End to end: `repro run` on the lab project in a temp git + DVC repo, with the real dvc. Each step of
 * the rerun matrix makes one kind of change and asserts, from the journal of stages that actually
 * executed, exactly which stages ran — and that `repro status` predicted the same set with a reason.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { labExperiment, labFiles, UTIL_TS } from '../helpers/lab-project.js';
import { makePng } from '../helpers/tiny-images.js';
import { makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

interface RunJson {
  mode: string;
  targets: string[];
  ran: string[];
}

interface StatusJson {
  name: string;
  state: string;
  reasons: string[];
}

async function run(repo: TmpRepo, ...flags: string[]): Promise<string[]> {
  const result = await must(repo.repro('run', 'lab', '--json', ...flags));
  return (JSON.parse(result.stdout) as RunJson).ran.sort();
}

async function status(repo: TmpRepo): Promise<StatusJson[]> {
  const result = await must(repo.repro('status', 'lab', '--json'));
  return JSON.parse(result.stdout) as StatusJson[];
}

interface Expected {
  /** stages whose own code, params or inputs changed: `repro status` calls them stale */
  stale: string[];
  /** stages that then actually execute: stale ones plus downstream whose input bytes changed */
  ran: string[];
  /** a `--why` reason of one stale stage */
  reason?: RegExp;
}

/** Asserts what status predicts, then runs and asserts exactly which stages executed. */
async function expectRerun(repo: TmpRepo, expected: Expected): Promise<void> {
  const predicted = await status(repo);
  const stale = predicted.filter((s) => s.state === 'stale');
  assert.equal(stale.map((s) => s.name).sort(), [...expected.stale].sort(), '~> status: stale stages');
  const pending = predicted.filter((s) => s.state !== 'up-to-date').map((s) => s.name);
  for (const name of expected.ran) assert.ok(pending.includes(name), `~> status lists '${name}' as stale or upstream-stale`);
  const { reason } = expected;
  if (reason) assert.ok(stale.some((s) => s.reasons.some((r) => reason.test(r))), `~> a reason matches ${reason}: ${JSON.stringify(stale)}`);
  assert.equal(await run(repo), [...expected.ran].sort(), '~> stages that executed');
}

const matrix = suite<{ repo: TmpRepo }>('repro run: rerun matrix (dvc exp run)');

matrix.before(async (context) => {
  context.repo = await makeTmpRepo({ files: await labFiles(), dvcAdd: ['data/raw'] });
});
matrix.after(async ({ repo }) => repo.remove());

matrix('first run executes every stage and writes outputs, metrics and dvc.lock', async ({ repo }) => {
  assert.equal(await run(repo), ['lab_count-files', 'lab_resize-images', 'lab_summarize']);
  assert.equal(JSON.parse(await repo.read('reports/lab/summarize/counts.json')), { images: 3, listed: 3 });
  assert.match(await repo.read('out/lab/count-files/list.txt'), /^> file:img-0\.png$/m);
  assert.match(await repo.read('dvc.lock'), /lab_resize-images/);
  const exps = await must(repo.dvc('exp', 'list', '--all-commits', '--name-only'));
  assert.ok(exps.stdout.trim().length > 0, '~> the run is a DVC experiment');
  const metrics = JSON.parse((await must(repo.dvc('metrics', 'show', '--json'))).stdout) as Record<string, unknown>;
  assert.match(JSON.stringify(metrics), /"reports\/lab\/summarize\/counts\.json":\{"data":\{"images":3,"listed":3\}\}/, '~> dvc metrics show reads the declared metrics');
  await must(repo.git('add', '-A'));
  await must(repo.git('commit', '-qm', 'first results'));
});

matrix('nothing changed: no stage runs', async ({ repo }) => {
  await expectRerun(repo, { stale: [], ran: [] });
});

matrix('a middle stage param: that stage and its downstream', async ({ repo }) => {
  await repo.write('experiments/lab.ts', labExperiment(6));
  await must(repo.repro('compile'));
  const diff = JSON.parse((await must(repo.dvc('params', 'diff', '--json'))).stdout) as Record<string, Record<string, unknown>>;
  assert.equal(diff['params.yaml']?.['lab.resize-images.width'], { old: 4, new: 6, diff: 2 }, '~> dvc params diff sees the param');
  await expectRerun(repo, { stale: ['lab_resize-images'], ran: ['lab_resize-images', 'lab_summarize'], reason: /param 'lab\.resize-images\.width' 4 → 6/ });
});

matrix('an edit to a function one stage reaches: that stage and downstream', async ({ repo }) => {
  await repo.write('src/lab/util.ts', UTIL_TS.replace("'file:' + name", "'file=' + name"));
  await expectRerun(repo, { stale: ['lab_count-files'], ran: ['lab_count-files', 'lab_summarize'], reason: /code 'src\/lab\/util\.ts#describeName' changed/ });
  assert.match(await repo.read('out/lab/count-files/list.txt'), /^> file=img-0\.png$/m);
});

matrix('comment-only and unreached-function edits in a shared file: nothing', async ({ repo }) => {
  const current = await repo.read('src/lab/util.ts');
  const edited = current
    .replace('/** Helpers shared by lab stages. */', '/** Helpers shared by lab stages (now documented better). */\n// another comment')
    .replace('return n * 2;', 'return n * 3;   // changed, but no stage reaches it')
    .replace('{\n  return', '{\n\n    return');
  assert.not.equal(edited, current);
  await repo.write('src/lab/util.ts', edited);
  await expectRerun(repo, { stale: [], ran: [] });
});

matrix('a lockfile bump of a package only one stage imports: that stage; downstream only if its bytes change', async ({ repo }) => {
  const path = join(repo.root, 'package-lock.json');
  const lock = JSON.parse(await readFile(path, 'utf8')) as { packages: Record<string, { version: string; integrity: string }> };
  const sharp = lock.packages['node_modules/sharp']!;
  sharp.version = `${sharp.version}-bumped`;
  sharp.integrity = 'sha512-bumpedbumpedbumped';
  await writeFile(path, `${JSON.stringify(lock, null, 2)}\n`);
  // The installed sharp is the same, so the rerun writes identical images and DVC, hashing content,
  // correctly leaves summarize alone; status listed it as upstream-stale.
  await expectRerun(repo, { stale: ['lab_resize-images'], ran: ['lab_resize-images'], reason: /package 'sharp' .* -> .*-bumped/ });
});

matrix('changed input data: every stage that reads it, and downstream', async ({ repo }) => {
  await repo.write('data/raw/img-9.png', await makePng(9));
  await must(repo.dvc('add', 'data/raw'));
  await expectRerun(repo, { stale: ['lab_count-files', 'lab_resize-images'], ran: ['lab_count-files', 'lab_resize-images', 'lab_summarize'], reason: /input 'data\/raw' modified/ });
  assert.equal(JSON.parse(await repo.read('reports/lab/summarize/counts.json')), { images: 4, listed: 4 });
});

matrix('a second run right after is a no-op again', async ({ repo }) => {
  await expectRerun(repo, { stale: [], ran: [] });
});

matrix.run();

// ---

const repro = suite('repro run --no-exp (dvc repro)');

repro('runs through dvc repro without a git commit of the outputs, then reruns nothing', async () => {
  const repo = await makeTmpRepo({ files: await labFiles(), dvcAdd: ['data/raw'] });
  try {
    const first = JSON.parse((await must(repo.repro('run', 'lab', '--no-exp', '--json'))).stdout) as RunJson;
    assert.is(first.mode, 'repro');
    assert.equal(first.ran.sort(), ['lab_count-files', 'lab_resize-images', 'lab_summarize']);
    const second = JSON.parse((await must(repo.repro('run', 'lab', '--no-exp', '--json'))).stdout) as RunJson;
    assert.equal(second.ran, []);
    const exps = await must(repo.dvc('exp', 'list', '--all-commits', '--name-only'));
    assert.is(exps.stdout.trim(), '', '~> no DVC experiment was made');
  } finally {
    await repo.remove();
  }
});

repro.run();
