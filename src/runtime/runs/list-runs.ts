/**
 * `repro runs`: every run of the project — each local DVC experiment (`refs/exps/…`, any baseline), each
 * commit of the current branch (first parents) that changed dvc.lock, and the workspace when it has a
 * dvc.lock — with its params and metrics read at its revision (see run-snapshot.ts). The key params and
 * metrics are those that take two different values among the runs that have them. Reading git directly keeps this fast:
 * `dvc exp show -n -1` takes seconds per dozen commits because it collects every commit.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE } from '../compile/paths.js';
import { runGit } from '../dvc.js';
import { commitRevision, experimentRevision, listExperimentRefs, workspaceRevision, type Revision } from './revisions.js';
import { readRunSnapshot } from './run-snapshot.js';
import { keysThatDiffer, type FlatValue } from './value-diff.js';

export interface RunSummary {
  /** what `repro diff` takes: the experiment name, a short commit, or `workspace` */
  readonly name: string;
  readonly kind: Revision['kind'];
  readonly rev: string | null;
  /** the commit an experiment was run on */
  readonly baseline: string | null;
  /** commit time (ISO 8601); null for the workspace */
  readonly created: string | null;
  /** the commit's subject line, for commits */
  readonly subject: string | null;
  readonly params: Readonly<Record<string, FlatValue>>;
  readonly metrics: Readonly<Record<string, FlatValue>>;
}

export interface RunList {
  /** workspace first, then newest first */
  readonly runs: readonly RunSummary[];
  /** params with two different values among the runs that have them */
  readonly keyParams: readonly string[];
  /** metrics with two different values among the runs that have them */
  readonly keyMetrics: readonly string[];
}

/** Lists the runs of the project at `root`. */
export async function listRuns(root: string): Promise<RunList> {
  const revisions: Revision[] = [];
  if (existsSync(join(root, LOCK_FILE))) revisions.push(workspaceRevision());
  for (const experiment of await listExperimentRefs(root)) revisions.push(experimentRevision(experiment));
  const commits = await runGit(root, ['log', '--first-parent', '--format=%H', '--', LOCK_FILE], { reject: false });
  for (const rev of commits.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) revisions.push(commitRevision(rev));
  const info = await commitInfo(root, revisions.flatMap((r) => (r.rev ? [r.rev] : [])));
  const runs: RunSummary[] = [];
  for (const revision of revisions) {
    const snapshot = await readRunSnapshot(root, revision);
    const meta = revision.rev ? info.get(revision.rev) : undefined;
    runs.push({
      name: revision.label,
      kind: revision.kind,
      rev: revision.rev,
      baseline: revision.baseline,
      created: meta?.created ?? null,
      subject: revision.kind === 'commit' ? (meta?.subject ?? null) : null,
      params: snapshot.params,
      metrics: snapshot.metrics,
    });
  }
  runs.sort((a, b) => (a.created === null ? -1 : b.created === null ? 1 : b.created.localeCompare(a.created)));
  return {
    runs,
    keyParams: runs.length > 1 ? keysThatDiffer(runs.map((r) => r.params)) : [],
    keyMetrics: runs.length > 1 ? keysThatDiffer(runs.map((r) => r.metrics)) : [],
  };
}

/** Commit time and subject of each rev, in one git call. */
async function commitInfo(root: string, revs: readonly string[]): Promise<Map<string, { created: string; subject: string }>> {
  const info = new Map<string, { created: string; subject: string }>();
  if (revs.length === 0) return info;
  const out = await runGit(root, ['show', '-s', '--format=%H%x09%cI%x09%s', ...new Set(revs)]);
  for (const line of out.stdout.split('\n')) {
    const [rev, created, ...subject] = line.split('\t');
    if (rev && created) info.set(rev, { created, subject: subject.join('\t') });
  }
  return info;
}
