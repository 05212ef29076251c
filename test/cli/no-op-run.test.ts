/**
 * A `repro run` with nothing to do leaves no trace: on the lab project (real git, real dvc) a second run
 * prints "nothing to run", creates no DVC experiment and starts no stage — while a deleted output, a
 * hand-edited file inside a folder output and an edited metrics file are each noticed and put right. One run
 * per repository: a live run lock is refused naming its command and pid, a stale one is taken over, and
 * DVC's own lock held by another process is reported the same way instead of DVC's raw text.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { labFiles } from '../helpers/lab-project.js';
import { makeTmpRepo, must, PROJECT_ROOT, type TmpRepo } from '../helpers/tmp-repo.js';

interface RunJson {
  ran: string[];
  nothingToRun: boolean;
  firstChange: { stage: string; reason: string } | null;
}

async function runLab(repo: TmpRepo): Promise<RunJson> {
  return JSON.parse((await must(repo.repro('run', 'lab', '--json'))).stdout) as RunJson;
}

async function experimentRefs(repo: TmpRepo): Promise<string[]> {
  return (await must(repo.git('for-each-ref', '--format=%(refname)', 'refs/exps'))).stdout.split('\n').filter(Boolean);
}

const noop = suite<{ repo: TmpRepo }>('repro run: no-op');

noop.before(async (context) => {
  context.repo = await makeTmpRepo({ files: await labFiles(), dvcAdd: ['data/raw'] });
  const first = await must(context.repo.repro('run', 'lab'));
  assert.not.match(first.stderr, /No file hash info found/, '~> no warning about outputs the run is about to create');
  await must(context.repo.git('add', '-A'));
  await must(context.repo.git('commit', '-qm', 'first results'));
});
noop.after(async ({ repo }) => repo.remove());

noop('nothing changed: prints "nothing to run", makes no DVC experiment, starts no stage', async ({ repo }) => {
  const refs = await experimentRefs(repo);
  const journals = (await readdir(join(repo.root, '.repro', 'runs'))).length;
  const result = await must(repo.repro('run', 'lab'));
  assert.is(result.stdout, 'nothing to run: 3 stages up to date');
  assert.equal(await experimentRefs(repo), refs, '~> no new DVC experiment');
  assert.is((await readdir(join(repo.root, '.repro', 'runs'))).length, journals, '~> no run journal: DVC was not started');
  assert.is((await must(repo.git('status', '--porcelain'))).stdout, '', '~> nothing written to tracked files');
});

// DVC, once started, restores an unchanged stage's outputs from its run cache instead of executing it, so
// these assert that DVC was started (the first change found) and that the workspace is whole again.

noop('a deleted output is noticed and restored', async ({ repo }) => {
  const before = await repo.read('out/lab/count-files/list.txt');
  await rm(join(repo.root, 'out/lab/count-files/list.txt'));
  const result = await runLab(repo);
  assert.is(result.nothingToRun, false);
  assert.equal(result.firstChange, { stage: 'lab_count-files', reason: "output 'out/lab/count-files/list.txt' deleted" });
  assert.is(await repo.read('out/lab/count-files/list.txt'), before, '~> the output is back');
  assert.is((await runLab(repo)).nothingToRun, true, '~> and then nothing to run');
});

noop('a hand-edited file inside a folder output is noticed and restored', async ({ repo }) => {
  const folder = 'out/lab/resize-images/images';
  const [name] = (await readdir(join(repo.root, folder))).sort();
  const before = await readFile(join(repo.root, folder, name!));
  await writeFile(join(repo.root, folder, name!), 'not a png any more');
  const result = await runLab(repo);
  assert.equal(result.firstChange, { stage: 'lab_resize-images', reason: `output '${folder}' modified` });
  assert.ok((await readFile(join(repo.root, folder, name!))).equals(before), '~> the file is restored');
  assert.is((await runLab(repo)).nothingToRun, true);
});

noop('an edited metrics file (cache: false) is noticed and rewritten', async ({ repo }) => {
  const before = await repo.read('reports/lab/summarize/counts.json');
  await writeFile(join(repo.root, 'reports/lab/summarize/counts.json'), '{"images": 99}\n');
  const result = await runLab(repo);
  assert.equal(result.firstChange, { stage: 'lab_summarize', reason: "output 'reports/lab/summarize/counts.json' modified" });
  assert.is(await repo.read('reports/lab/summarize/counts.json'), before);
  assert.is((await runLab(repo)).nothingToRun, true, '~> and then nothing again');
});

noop('a second run while one holds the repository is refused with its command and pid; a stale lock is taken over', async ({ repo }) => {
  const lock = join(repo.root, '.repro', 'tmp', 'run.lock');
  await writeFile(lock, JSON.stringify({ pid: process.pid, command: 'repro run lab', since: new Date().toISOString() }));
  await rm(join(repo.root, 'dvc.yaml')); // a compile would write it again: the refused run must not
  const refused = await repo.repro('run', 'lab');
  assert.is(refused.exitCode, 1);
  assert.not.ok(await repo.exists('dvc.yaml'), '~> the refused run wrote nothing (it did not even compile)');
  await must(repo.git('checkout', '--', 'dvc.yaml'));
  assert.match(refused.stderr, new RegExp(`the repository expected to be free, received \`repro run lab\` running in it \\(pid ${process.pid}, since `));
  assert.match(refused.stderr, new RegExp(`kill ${process.pid}`));
  await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 7, command: 'repro run lab', since: '2026-01-01T00:00:00.000Z' }));
  const taken = await must(repo.repro('run', 'lab'));
  assert.match(taken.stdout, /nothing to run/);
  assert.not.ok(await repo.exists('.repro/tmp/run.lock'), '~> released after the run');
});

noop("DVC's lock held by another dvc process is named, not dumped", async ({ repo }) => {
  // zc.lockfile is what DVC locks its repository with; hold it the way a running `dvc` would.
  const python = join(PROJECT_ROOT, '.venv', 'bin', 'python');
  const holder = execa(python, ['-c', "import sys, time, zc.lockfile; l = zc.lockfile.LockFile('.dvc/tmp/lock'); print('held', flush=True); time.sleep(60)"], { cwd: repo.root, reject: false });
  try {
    await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
    const result = await repo.repro('run', 'lab', '--force');
    assert.is(result.exitCode, 1);
    assert.match(result.stderr, /the repository expected to be free, received it locked by another DVC process: /);
    assert.match(result.stderr, /wait for that dvc command to finish/);
    assert.not.match(result.stderr, /Command failed with exit code/);
  } finally {
    holder.kill();
    await holder;
  }
});

noop.run();
