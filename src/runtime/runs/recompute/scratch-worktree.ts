/**
 * A scratch checkout of a run's commit where its stages can be recomputed without touching the
 * workspace: `git worktree add --detach` into a temp folder outside the project, the project's installed
 * `node_modules` and `.venv` linked in (the run's code runs on this machine's packages; the pins say how
 * those differ), and DVC pointed at the project's cache through the worktree's own untracked
 * `.dvc/config.local`, so `dvc checkout` there restores the run's pinned files by copy and nothing in the
 * cache can be changed through a link. `close` removes the folder and the worktree's git metadata; a
 * worktree left by a killed process is pruned by the next one.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDvc, runGit } from '../../dvc.js';
import { dvcCacheDir } from '../dvc-cache.js';

/** Folders of the project's installation the scratch checkout borrows. */
const LINKED = ['node_modules', '.venv'] as const;

export interface ScratchWorktree {
  /** absolute path of the checkout */
  readonly dir: string;
  /** removes the checkout and its worktree entry; safe to call twice */
  close(): Promise<void>;
}

/** Checks out `rev` of the project at `root` into a new temp folder. */
export async function openScratchWorktree(root: string, rev: string): Promise<ScratchWorktree> {
  await runGit(root, ['worktree', 'prune'], { reject: false });
  const parent = await mkdtemp(join(tmpdir(), 'repro-recompute-'));
  const dir = join(parent, 'checkout');
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await runGit(root, ['worktree', 'remove', '--force', dir], { reject: false });
    await rm(parent, { recursive: true, force: true });
    await runGit(root, ['worktree', 'prune'], { reject: false });
  };
  try {
    await runGit(root, ['worktree', 'add', '--detach', '-q', dir, rev]);
    for (const name of LINKED) {
      if (existsSync(join(root, name)) && !existsSync(join(dir, name))) await symlink(join(root, name), join(dir, name), 'dir');
    }
    await runDvc(dir, ['config', '--local', 'cache.dir', await dvcCacheDir(root)]);
    await runDvc(dir, ['config', '--local', 'cache.type', 'copy']);
    return { dir, close };
  } catch (error) {
    await close();
    throw error;
  }
}
