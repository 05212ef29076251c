/**
 * `repro pull <run>` on another clone: fetches the run's share ref from the git remote and reads its
 * manifest, then `dvc exp pull --no-cache` fetches the experiment ref, `dvc fetch` of the manifest's stages
 * and `.dvc` files in a scratch checkout of the run's commit brings the objects the share carries into
 * this clone's cache, and `dvc exp apply` puts the run's files and outputs into the workspace (HEAD stays
 * on the branch). Outputs the share withheld (other experiments' results in the run's dvc.lock) cannot be
 * checked out; apply's complaint about those, and only those, is expected. No stage runs. The DVC
 * remote is the one named on the command line, else the clone's remote of the name the run was pushed to,
 * else the clone's default, else the manifest's URL registered as remote `share` in .dvc/config.local.
 * A workspace with uncommitted changes to tracked files is refused unless forced, since applying the run
 * would overwrite them.
 */
import { ReproError, type Issue } from '../../../errors.js';
import { runDvc, runGit } from '../../dvc.js';
import { openScratchWorktree } from '../scratch-worktree.js';
import { dvcTargets, readManifest, shareRef, type RemotePin, type ShareManifest } from './manifest.js';
import { findDvcRemote, LOCAL_REMOTE_NAME, readDvcConfig, resolveGitRemote, setUpFolderRemotes, type RemoteChoice } from './remotes.js';

export interface PullOptions extends RemoteChoice {
  /** apply even over uncommitted changes, and replace a local run of the same name */
  readonly force?: boolean | undefined;
}

export interface PullResult {
  readonly manifest: ShareManifest;
  readonly git: RemotePin;
  readonly dvc: RemotePin;
}

/** Pulls the shared run `name` into the project at `root`. */
export async function pullRun(root: string, name: string, options: PullOptions = {}): Promise<PullResult> {
  if (!options.force) await requireCleanWorkspace(root, name);
  const folder = options.dir === undefined ? undefined : await setUpFolderRemotes(root, options.dir, false);
  const git = folder?.git ?? (await resolveGitRemote(root, options.gitRemote, `run \`repro pull ${name} --from <folder>\`, or \`git remote add ${options.gitRemote ?? 'origin'} <url>\``));
  const ref = shareRef(name);
  const fetched = await runGit(root, ['fetch', '-q', git.name, `+${ref}:${ref}`], { reject: false });
  if (fetched.exitCode !== 0) {
    throw new ReproError('RUN_NOT_FOUND', `shared run '${name}' expected on git remote '${git.name}' (${git.url}) as ${ref}, received ${/couldn't find remote ref/i.test(fetched.stderr) ? 'no such ref' : `a failed fetch: ${fetched.stderr.trim()}`}`, {
      hint: `on the machine that ran it: \`repro share ${name}\``,
    });
  }
  const manifest = await readManifest(root, name);
  const dvc = folder?.dvc ?? (await chooseDvcRemote(root, options.dvcRemote, manifest));
  await runDvc(root, ['exp', 'pull', '--no-cache', ...(options.force ? ['--force'] : []), git.name, manifest.git.ref]);
  // A local run of the same name that differs is left alone by `dvc exp pull` (it only warns).
  const local = (await runGit(root, ['rev-parse', '--verify', '--quiet', manifest.git.ref], { reject: false })).stdout.trim();
  if (local !== manifest.git.commit) {
    throw new ReproError('WORKSPACE_CHANGED', `run '${name}' expected at commit ${manifest.git.commit.slice(0, 7)} as shared, received a local run of that name at ${local ? local.slice(0, 7) : 'no commit'}`, {
      hint: `run \`repro pull ${name} --force\` to replace the local run with the shared one`,
    });
  }
  await fetchObjects(root, manifest, dvc.name);
  await applyRun(root, manifest);
  return { manifest, git, dvc };
}

/** Fetches the DVC objects the share carries from remote `remote`, by the run's own dvc.lock. */
async function fetchObjects(root: string, manifest: ShareManifest, remote: string): Promise<void> {
  const targets = dvcTargets(manifest);
  if (targets.length === 0) return;
  const scratch = await openScratchWorktree(root, manifest.git.commit);
  try {
    await scratch.useRemote(remote);
    await runDvc(scratch.dir, ['fetch', '-r', remote, ...targets]);
  } finally {
    await scratch.close();
  }
}

/**
 * `dvc exp apply`: the run's files, then a checkout of every output in its lock. A checkout that fails only
 * for outputs the share withheld is the expected result; any other failure is not.
 */
async function applyRun(root: string, manifest: ShareManifest): Promise<void> {
  const applied = await runDvc(root, ['exp', 'apply', manifest.git.ref], { reject: false });
  if (applied.exitCode === 0) return;
  const output = `${applied.stdout}\n${applied.stderr}`;
  const failed = /Checkout failed for following targets:\n([\s\S]*?)\n(?:Is your cache up to date\?|$)/.exec(output)?.[1]?.split('\n').map((l) => l.trim()).filter(Boolean);
  const withheld = manifest.withheld ?? {};
  if (failed && failed.length > 0 && failed.every((path) => path in withheld)) return;
  throw new ReproError('DVC_FAILED', `run '${manifest.run}' expected to apply to the workspace, received a failed \`dvc exp apply\` (exit ${applied.exitCode}): ${output.trim().split('\n').slice(-6).join(' / ')}`, {
    hint: `run \`repro verify ${manifest.run}\` to see which files differ, then \`repro pull ${manifest.run} --force\``,
  });
}

async function chooseDvcRemote(root: string, name: string | undefined, manifest: ShareManifest): Promise<RemotePin> {
  const config = await readDvcConfig(root);
  if (name !== undefined) {
    const named = findDvcRemote(config, name);
    if (named) return named;
    throw new ReproError('REMOTE_NOT_CONFIGURED', `DVC remote '${name}' expected in this clone's DVC config, received no such remote`, {
      hint: `run \`.venv/bin/dvc remote add ${name} ${manifest.remotes.dvc.url}\`, or leave out --dvc-remote`,
    });
  }
  const found = findDvcRemote(config, manifest.remotes.dvc.name) ?? findDvcRemote(config, undefined);
  if (found) return found;
  await runDvc(root, ['remote', 'add', '--local', '--force', LOCAL_REMOTE_NAME, manifest.remotes.dvc.url]);
  return { name: LOCAL_REMOTE_NAME, url: manifest.remotes.dvc.url };
}

async function requireCleanWorkspace(root: string, name: string): Promise<void> {
  const status = await runGit(root, ['status', '--porcelain', '--untracked-files=no']);
  const changed = status.stdout.split('\n').filter(Boolean).map((line) => line.slice(3));
  if (changed.length === 0) return;
  throw new ReproError('WORKSPACE_CHANGED', `a workspace without uncommitted changes expected before applying run '${name}', received ${changed.length} changed file${changed.length === 1 ? '' : 's'}`, {
    issues: changed.map((file): Issue => ({ code: 'WORKSPACE_CHANGED', file, message: 'changed' })),
    hint: `commit or stash them (\`git stash\`), or run \`repro pull ${name} --force\` to overwrite them`,
  });
}
