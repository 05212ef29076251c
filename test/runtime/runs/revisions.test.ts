/**
 * What a run name means: `findExperimentRef` reads DVC experiment refs (`refs/exps/<ab>/<cdef…>/<name>`)
 * and, when one name exists on several baselines, takes the one built on HEAD or names every candidate;
 * `requireExperimentRef` lists the names there are; `resolveRevision` falls back to git commits and refs.
 * Real git in a temp folder; the refs are made with `git update-ref` as DVC makes them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ReproError } from '../../../src/errors.js';
import { findExperimentRef, listExperimentRefs, requireExperimentRef, resolveRevision } from '../../../src/runtime/runs/revisions.js';

interface Context {
  root: string;
  /** baseline commits, oldest first */
  commits: string[];
}

const revisions = suite<Context>('revisions', { root: '', commits: [] });

const git = async (root: string, ...args: string[]) => (await execa('git', args, { cwd: root })).stdout.trim();

revisions.before(async (context) => {
  context.root = await mkdtemp(join(tmpdir(), 'repro-revisions-'));
  const { root } = context;
  await git(root, 'init', '-q');
  for (const [i, name] of ['one', 'two'].entries()) {
    await writeFile(join(root, 'file.txt'), `${name}\n`);
    await git(root, 'add', 'file.txt');
    await git(root, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', name);
    const baseline = await git(root, 'rev-parse', 'HEAD');
    context.commits.push(baseline);
    // an experiment commit on top of the baseline, under DVC's ref layout
    const exp = await git(root, 'commit-tree', `${baseline}^{tree}`, '-p', baseline, '-m', `exp ${i}`);
    await git(root, 'update-ref', `refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}/shared`, exp);
    if (i === 0) await git(root, 'update-ref', `refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}/only-old`, exp);
  }
});

revisions.after(async ({ root }) => {
  await rm(root, { recursive: true, force: true });
});

revisions('lists every experiment ref with its commit and baseline', async ({ root, commits }) => {
  const refs = await listExperimentRefs(root);
  assert.is(refs.length, 3);
  const old = refs.find((r) => r.name === 'only-old')!;
  assert.is(old.baseline, commits[0]);
  assert.is(await git(root, 'rev-parse', `${old.rev}^`), commits[0]);
  assert.ok(old.ref.startsWith('refs/exps/'));
});

revisions('a name on several baselines: the one built on HEAD wins; off HEAD every candidate is named', async ({ root, commits }) => {
  assert.is((await findExperimentRef(root, 'shared'))?.baseline, commits[1]);
  assert.is((await findExperimentRef(root, 'only-old'))?.baseline, commits[0], '~> a single one wins on any baseline');
  assert.is(await findExperimentRef(root, 'nope'), undefined);
  await git(root, 'checkout', '-q', '--detach', 'HEAD~1');
  try {
    assert.is((await findExperimentRef(root, 'shared'))?.baseline, commits[0]);
    const orphan = await git(root, 'commit-tree', 'HEAD^{tree}', '-m', 'orphan');
    await git(root, 'checkout', '-q', '--detach', orphan);
    const error = await findExperimentRef(root, 'shared').catch((e: unknown) => e);
    assert.instance(error, ReproError);
    assert.match((error as ReproError).message, /run 'shared' expected to name one DVC experiment, received 2 built on commits/);
    assert.is((error as ReproError).issues.length, 2);
  } finally {
    await git(root, 'checkout', '-q', commits[1]!);
  }
});

revisions('requireExperimentRef names the experiments there are; resolveRevision falls back to commits', async ({ root, commits }) => {
  const error = await requireExperimentRef(root, 'nope').catch((e: unknown) => e);
  assert.match((error as ReproError).message, /run 'nope' expected among this repository's DVC experiments \(one of 'only-old', 'shared'\)/);
  assert.equal(await resolveRevision(root, 'workspace'), { label: 'workspace', kind: 'workspace', rev: null, experiment: null, baseline: null });
  assert.is((await resolveRevision(root, 'shared')).kind, 'experiment');
  assert.equal(await resolveRevision(root, commits[0]!.slice(0, 7)), { label: commits[0]!.slice(0, 7), kind: 'commit', rev: commits[0]!, experiment: null, baseline: null });
  const unknown = await resolveRevision(root, 'nope').catch((e: unknown) => e);
  assert.match((unknown as ReproError).message, /expected to be a DVC experiment name, a git commit or ref/);
});

revisions.run();
