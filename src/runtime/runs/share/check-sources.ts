/**
 * Which tracked files of the workspace differ from a run's commit — its code, experiments, dvc.yaml,
 * params.yaml, dvc.lock — found by git alone: the commit's tree is read into a scratch index (the user's
 * index is never touched), the index is refreshed against the workspace, and `git diff-files` lists what
 * differs in content or is missing. Untracked extra files are not differences.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from '../../dvc.js';

/** A file of the commit that the workspace does not hold as committed. */
export interface SourceChange {
  /** project-relative path */
  readonly path: string;
  readonly change: 'modified' | 'deleted';
}

/** Files of `commit` (below the project root) whose workspace copy differs or is missing. */
export async function changedSinceCommit(root: string, commit: string): Promise<SourceChange[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'repro-verify-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await runGit(root, ['read-tree', commit], { env });
    // exits 1 when entries need updating: that is the answer, read below
    await runGit(root, ['update-index', '-q', '--refresh'], { env, reject: false });
    const diff = await runGit(root, ['diff-files', '--name-status', '-z', '--relative'], { env });
    const fields = diff.stdout.split('\0').filter(Boolean);
    const changes: SourceChange[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      changes.push({ path: fields[i + 1]!, change: fields[i] === 'D' ? 'deleted' : 'modified' });
    }
    return changes.sort((a, b) => (a.path < b.path ? -1 : 1));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
