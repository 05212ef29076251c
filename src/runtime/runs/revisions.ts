/**
 * What a run name means and how to read a file as a run left it, without checking anything out. A run is
 * named by its DVC experiment name (a ref `refs/exps/<ab>/<cdef…>/<name>`, whose commit's parent is the
 * baseline), a git commit or ref, or `workspace` (the files on disk). `readTextAt` reads a file at such a
 * revision with `git show <rev>:<path>`, or from disk for the workspace.
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
  readonly name: string;
  readonly rev: string;
  readonly baseline: string;
}

const EXPERIMENT_REF = /^refs\/exps\/([0-9a-f]{2})\/([0-9a-f]{38})\/([^/]+)$/;

/** Every local DVC experiment (`refs/exps/…`), in ref order. */
export async function listExperimentRefs(root: string): Promise<ExperimentRef[]> {
  const out = await runGit(root, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/exps/'], { reject: false });
  const refs: ExperimentRef[] = [];
  for (const line of out.stdout.split('\n')) {
    const [rev, ref] = line.trim().split(' ');
    const match = ref ? EXPERIMENT_REF.exec(ref) : null;
    if (rev && match) refs.push({ name: match[3]!, rev, baseline: `${match[1]}${match[2]}` });
  }
  return refs;
}

/**
 * Resolves a run name: `workspace`, then a DVC experiment name (one built on HEAD wins when several share
 * the name), then anything `git rev-parse` takes.
 */
export async function resolveRevision(root: string, name: string): Promise<Revision> {
  if (name === WORKSPACE) return { label: name, kind: 'workspace', rev: null, experiment: null, baseline: null };
  const experiments = (await listExperimentRefs(root)).filter((e) => e.name === name);
  if (experiments.length > 0) {
    const head = (await runGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD'], { reject: false })).stdout.trim();
    const onHead = experiments.filter((e) => e.baseline === head);
    const pick = onHead.length === 1 ? onHead[0] : experiments.length === 1 ? experiments[0] : undefined;
    if (!pick) {
      throw new ReproError('RUN_NOT_FOUND', `run '${name}' expected to name one DVC experiment, received ${experiments.length} built on commits ${experiments.map((e) => `'${e.baseline.slice(0, 7)}'`).join(', ')}`, {
        hint: `name it by commit instead, e.g. \`repro diff ${experiments[0]!.rev.slice(0, 7)} workspace\` (see \`repro runs\`)`,
      });
    }
    return { label: name, kind: 'experiment', rev: pick.rev, experiment: pick.name, baseline: pick.baseline };
  }
  const commit = await runGit(root, ['rev-parse', '--verify', '--quiet', `${name}^{commit}`], { reject: false });
  if (commit.exitCode === 0 && commit.stdout.trim()) {
    return { label: name, kind: 'commit', rev: commit.stdout.trim(), experiment: null, baseline: null };
  }
  throw new ReproError('RUN_NOT_FOUND', `run '${name}' expected to be a DVC experiment name, a git commit or ref, or '${WORKSPACE}', received none of these`, {
    hint: 'run `repro runs` to list the runs',
  });
}

/** A file's text at `revision`; undefined when the revision has no such file. */
export async function readTextAt(root: string, revision: Revision, path: string): Promise<string | undefined> {
  if (revision.rev === null) return readTextIfExists(join(root, path));
  const shown = await runGit(root, ['show', `${revision.rev}:${path}`], { reject: false });
  if (shown.exitCode === 0) return shown.stdout.endsWith('\n') ? shown.stdout : `${shown.stdout}\n`;
  if (/does not exist|exists on disk, but not in/.test(shown.stderr)) return undefined;
  throw new ReproError('GIT_FAILED', `git show '${revision.rev.slice(0, 7)}:${path}' failed: ${shown.stderr.trim()}`);
}
