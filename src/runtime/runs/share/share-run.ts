/**
 * `repro share <run>`: pushes a run so a collaborator can pull and verify it without recomputing. In
 * order: the pin manifest is committed to the local ref refs/repro/share/<run>; `dvc exp push --no-cache`
 * sends the experiment ref (and with it the commits it is based on) to the git remote; `dvc push` of the
 * manifest's stages and `.dvc` files, from a scratch checkout of the run's commit (its dvc.lock, not the
 * workspace's), sends their DVC objects — the run's experiments and what they read, or every output with
 * `all` (share-scope.ts); then the share ref goes to the git remote — last, so a share ref on a remote
 * always means everything it pins is there — and the current branch, when it contains the baseline, so a
 * fresh clone of the remote starts from it (a rejected branch push is reported, not fatal: the refs suffice).
 */
import { runDvc, runGit } from '../../dvc.js';
import { requireExperimentRef } from '../revisions.js';
import { openScratchWorktree } from '../scratch-worktree.js';
import { buildManifest } from './build-manifest.js';
import { dvcTargets, shareRef, writeManifestRef, type RemotePin, type ShareManifest } from './manifest.js';
import { readDvcConfig, requireDvcRemote, resolveGitRemote, setUpFolderRemotes, type RemoteChoice } from './remotes.js';

export interface ShareOptions extends RemoteChoice {
  /** replace the run on the remote when it differs (`dvc exp push --force`) */
  readonly force?: boolean | undefined;
  /** send every output of the run's dvc.lock, other experiments' results included */
  readonly all?: boolean | undefined;
}

export interface ShareResult {
  readonly manifest: ShareManifest;
  /** the commit refs/repro/share/<run> points at */
  readonly shareCommit: string;
  readonly git: RemotePin;
  readonly dvc: RemotePin;
  /** git refs now on the git remote */
  readonly pushedRefs: readonly string[];
  /** DVC objects uploaded now (0 when the remote had them all) */
  readonly uploaded: number;
  /** what did not stop the share but the user should know */
  readonly warnings: readonly string[];
}

/** Shares the run called `name` of the project at `root`. */
export async function shareRun(root: string, name: string, options: ShareOptions = {}): Promise<ShareResult> {
  const run = await requireExperimentRef(root, name);
  const hint = `run \`repro share ${name} --to <folder>\` to share through a local folder, or configure the remote`;
  let git: RemotePin;
  let dvc: RemotePin;
  if (options.dir !== undefined) {
    ({ git, dvc } = await setUpFolderRemotes(root, options.dir, true));
  } else {
    git = await resolveGitRemote(root, options.gitRemote, `${hint} (\`git remote add ${options.gitRemote ?? 'origin'} <url>\`)`);
    dvc = requireDvcRemote(await readDvcConfig(root), options.dvcRemote, `${hint} (\`.venv/bin/dvc remote add -d <name> <url>\`)`);
  }
  const manifest = await buildManifest(root, run, { git, dvc }, { all: options.all });
  const shareCommit = await writeManifestRef(root, manifest);
  await runDvc(root, ['exp', 'push', '--no-cache', ...(options.force ? ['--force'] : []), git.name, run.ref]);
  const uploaded = await pushObjects(root, manifest, dvc.name);
  await runGit(root, ['push', '-q', git.name, `+${shareRef(run.name)}:${shareRef(run.name)}`]);
  const pushedRefs = [run.ref, shareRef(run.name)];
  const warnings: string[] = [];
  const branch = (await runGit(root, ['symbolic-ref', '--short', '-q', 'HEAD'], { reject: false })).stdout.trim();
  const contains = branch ? (await runGit(root, ['merge-base', '--is-ancestor', run.baseline, 'HEAD'], { reject: false })).exitCode === 0 : false;
  if (contains) {
    const result = await runGit(root, ['push', '-q', git.name, `refs/heads/${branch}:refs/heads/${branch}`], { reject: false });
    if (result.exitCode === 0) pushedRefs.push(`refs/heads/${branch}`);
    else warnings.push(`branch '${branch}' was not pushed to '${git.name}' (${result.stderr.trim().split('\n').pop() ?? 'rejected'}); collaborators still get the run through its refs`);
  }
  return { manifest, shareCommit, git, dvc, pushedRefs, uploaded, warnings };
}

/**
 * Uploads the DVC objects of the manifest's cached outputs to DVC remote `remote` from a scratch checkout
 * of the run's commit; returns how many the remote did not have yet.
 */
async function pushObjects(root: string, manifest: ShareManifest, remote: string): Promise<number> {
  const targets = dvcTargets(manifest);
  if (targets.length === 0) return 0;
  const scratch = await openScratchWorktree(root, manifest.git.commit);
  try {
    await scratch.useRemote(remote);
    const pushed = await runDvc(scratch.dir, ['push', '-r', remote, ...targets]);
    return Number(/(\d+) files? (?:pushed|uploaded)/.exec(`${pushed.stdout}\n${pushed.stderr}`)?.[1] ?? 0);
  } finally {
    await scratch.close();
  }
}
