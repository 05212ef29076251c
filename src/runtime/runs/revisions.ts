/**
 * What a run name means, the one place that says so for diff, report, runs and share alike, and how to
 * read a file as a run left it without checking anything out. A run is named by its DVC experiment name
 * (a ref `refs/exps/<baseline[0:2]>/<baseline[2:]>/<name>`, whose commit's parent is the baseline), a
 * git commit or ref, or `workspace` (the files on disk). When one experiment name exists on several
 * baselines, the one based on HEAD wins (as in DVC); otherwise the name is ambiguous and every candidate
 * is named. `readTextAt` reads a file at such a revision with `git show <rev>:<path>`, or from disk.
 */
import { join } from 'node:path';
import { ReproError } from '../../errors.js';
import { runGit } from '../dvc.js';
import { readTextIfExists } from '../../kit/fs-atomic.js';

/** The literal name of the working tree in `repro diff a workspace`. */
export const WORKSPACE = 'workspace';

/** A run resolved to the commit that holds its files. */
export interface Revision {
  /** what the user typed (or the experiment name) */
  readonly label: string;
  readonly kind: 'workspace' | 'experiment' | 'commit';
  /** full commit sha; null for the workspace */
  readonly rev: string | null;
  /** the DVC experiment name, for an experiment */
  readonly experiment: string | null;
  /** the commit an experiment was run on, for an experiment */
  readonly baseline: string | null;
}

/** One DVC experiment as its git ref says. */
export interface ExperimentRef {
  /** the experiment's (the run's) name */
  readonly name: string;
  /** `refs/exps/…/<name>` */
  readonly ref: string;
  /** the experiment commit */
  readonly rev: string;
  /** the commit the experiment was run on */
  readonly baseline: string;
}

const EXPERIMENT_REF = /^refs\/exps\/([0-9a-f]{2})\/([0-9a-f]{38})\/([^/]+)$/;

/** Every local DVC experiment (`refs/exps/…`), in ref order; none outside a git repository. */
export async function listExperimentRefs(root: string): Promise<ExperimentRef[]> {
  const out = await runGit(root, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/exps/'], { reject: false });
  const refs: ExperimentRef[] = [];
  for (const line of out.stdout.split('\n')) {
    const [rev, ref] = line.trim().split(' ');
    const match = ref ? EXPERIMENT_REF.exec(ref) : null;
    if (rev && ref && match) refs.push({ name: match[3]!, ref, rev, baseline: `${match[1]}${match[2]}` });
  }
  return refs;
}

/**
 * The DVC experiment called `name`: the only one, else the one built on HEAD; undefined when there is
 * none; an error naming every candidate when several are and none is built on HEAD.
 */
export async function findExperimentRef(root: string, name: string): Promise<ExperimentRef | undefined> {
  const found = (await listExperimentRefs(root)).filter((e) => e.name === name);
  if (found.length <= 1) return found[0];
  const head = (await runGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD'], { reject: false })).stdout.trim();
  const onHead = found.find((e) => e.baseline === head);
  if (onHead) return onHead;
  throw new ReproError('RUN_NOT_FOUND', `run '${name}' expected to name one DVC experiment, received ${found.length} built on commits ${found.map((e) => `'${e.baseline.slice(0, 7)}'`).join(', ')}`, {
    issues: found.map((e) => ({ code: 'RUN_NOT_FOUND' as const, message: `${e.ref} (commit ${e.rev.slice(0, 7)})` })),
    hint: `check out the commit the run you mean is based on (\`git checkout <baseline>\`) and run the command again; \`repro diff\` and \`repro report\` also take the run's commit, e.g. \`repro diff ${found[0]!.rev.slice(0, 7)} workspace\` (see \`repro runs\`)`,
  });
}

/** Like `findExperimentRef`, but no experiment of that name is an error listing the names there are. */
export async function requireExperimentRef(root: string, name: string): Promise<ExperimentRef> {
  const found = await findExperimentRef(root, name);
  if (found) return found;
  const known = [...new Set((await listExperimentRefs(root)).map((e) => `'${e.name}'`))].sort();
  throw new ReproError('RUN_NOT_FOUND', `run '${name}' expected among this repository's DVC experiments (${known.length ? `one of ${known.join(', ')}` : 'there are none'}), received no such run`, {
    hint: known.length ? 'run `repro runs` (or `.venv/bin/dvc exp list --all-commits --name-only`) to list them' : `run \`repro run -n ${name}\` first`,
  });
}

/** The revision of an experiment ref. */
export function experimentRevision(experiment: ExperimentRef): Revision {
  return { label: experiment.name, kind: 'experiment', rev: experiment.rev, experiment: experiment.name, baseline: experiment.baseline };
}

/** Resolves a run name: `workspace`, then a DVC experiment name, then anything `git rev-parse` takes. */
export async function resolveRevision(root: string, name: string): Promise<Revision> {
  if (name === WORKSPACE) return workspaceRevision();
  const experiment = await findExperimentRef(root, name);
  if (experiment) return experimentRevision(experiment);
  const commit = await runGit(root, ['rev-parse', '--verify', '--quiet', `${name}^{commit}`], { reject: false });
  if (commit.exitCode === 0 && commit.stdout.trim()) return commitRevision(commit.stdout.trim(), name);
  throw new ReproError('RUN_NOT_FOUND', `run '${name}' expected to be a DVC experiment name, a git commit or ref, or '${WORKSPACE}', received none of these`, {
    hint: 'run `repro runs` to list the runs',
  });
}

/** The revision of the files on disk. */
export function workspaceRevision(): Revision {
  return { label: WORKSPACE, kind: 'workspace', rev: null, experiment: null, baseline: null };
}

/** The revision of a commit, labelled `label` (by default its short sha). */
export function commitRevision(rev: string, label = rev.slice(0, 7)): Revision {
  return { label, kind: 'commit', rev, experiment: null, baseline: null };
}

/** A file's text at `revision`; undefined when the revision has no such file. */
export async function readTextAt(root: string, revision: Revision, path: string): Promise<string | undefined> {
  if (revision.rev === null) return readTextIfExists(join(root, path));
  const shown = await runGit(root, ['show', `${revision.rev}:${path}`], { reject: false });
  if (shown.exitCode === 0) return shown.stdout.endsWith('\n') ? shown.stdout : `${shown.stdout}\n`;
  if (/does not exist|exists on disk, but not in/.test(shown.stderr)) return undefined;
  throw new ReproError('GIT_FAILED', `git show '${revision.rev.slice(0, 7)}:${path}' failed: ${shown.stderr.trim()}`);
}
