/**
 * A scratch checkout of a run's commit, where DVC can act on the run's own dvc.lock without touching the
 * workspace: recompute reruns stages there, share pushes and pull fetches just the objects of the run's
 * experiments from there. `git worktree add --detach` into a temp folder outside the project, the
 * project's installed `node_modules` and `.venv` linked in (the run's code runs on this machine's
 * packages; the pins say how those differ), and DVC pointed at the project's cache through the worktree's
 * own untracked `.dvc/config.local`, so `dvc checkout` there restores files by copy and nothing in the
 * cache can be changed through a link. `useRemote` copies one DVC remote of the project (URL already
 * resolved, options and credentials included) into that same file. `close` removes the folder and the
 * worktree's git metadata; a worktree left by a killed process is pruned by the next one.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDvc, runGit } from '../dvc.js';
import { dvcCacheDir } from './dvc-cache.js';
import { readDvcConfig } from './share/remotes.js';

/** Folders of the project's installation the scratch checkout borrows. */
const LINKED = ['node_modules', '.venv'] as const;

export interface ScratchWorktree {
  /** absolute path of the project inside the checkout (the checkout's root plus the project's git prefix) */
  readonly dir: string;
  /** registers the project's DVC remote `name` (as `dvc config --list` resolves it) in the checkout */
  useRemote(name: string): Promise<void>;
  /** removes the checkout and its worktree entry; safe to call twice */
  close(): Promise<void>;
}

/** Checks out `rev` of the project at `root` into a new temp folder. */
export async function openScratchWorktree(root: string, rev: string): Promise<ScratchWorktree> {
  await runGit(root, ['worktree', 'prune'], { reject: false });
  const prefix = (await runGit(root, ['rev-parse', '--show-prefix'])).stdout.trim();
  const parent = await mkdtemp(join(tmpdir(), 'repro-scratch-'));
  const checkout = join(parent, 'checkout');
  const dir = join(checkout, prefix);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await runGit(root, ['worktree', 'remove', '--force', checkout], { reject: false });
    await rm(parent, { recursive: true, force: true });
    await runGit(root, ['worktree', 'prune'], { reject: false });
  };
  const useRemote = async (name: string) => {
    const config = await readDvcConfig(root);
    const url = config.get(`remote.${name}.url`);
    if (url === undefined) return;
    await runDvc(dir, ['remote', 'add', '--local', '--force', name, url]);
    for (const [key, value] of config) {
      const option = key.startsWith(`remote.${name}.`) ? key.slice(`remote.${name}.`.length) : undefined;
      if (option !== undefined && option !== 'url') await runDvc(dir, ['remote', 'modify', '--local', name, option, value]);
    }
  };
  try {
    await runGit(root, ['worktree', 'add', '--detach', '-q', checkout, rev]);
    for (const name of LINKED) {
      if (existsSync(join(root, name)) && !existsSync(join(dir, name))) await symlink(join(root, name), join(dir, name), 'dir');
    }
    await runDvc(dir, ['config', '--local', 'cache.dir', await dvcCacheDir(root)]);
    await runDvc(dir, ['config', '--local', 'cache.type', 'copy']);
    return { dir, useRemote, close };
  } catch (error) {
    await close();
    throw error;
  }
}
