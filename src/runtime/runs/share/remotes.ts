/**
 * The git and DVC remotes a run is shared through. By default: the git remote `origin` and DVC's
 * default remote, both as the project already configures them (an S3 remote with its `endpointurl` and
 * credentials included). `--to <dir>` / `--from <dir>` set up a local pair that works offline: a bare
 * git repository `<dir>/git` and a DVC cache folder `<dir>/dvc`, registered as remotes named `share`
 * (the DVC one in .dvc/config.local, so no tracked file changes).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ReproError } from '../../../errors.js';
import { runDvc, runGit } from '../../dvc.js';
import type { RemotePin } from './manifest.js';

/** The name both remotes get when set up from a folder. */
export const LOCAL_REMOTE_NAME = 'share';

/** How the command was told to pick remotes. */
export interface RemoteChoice {
  /** a folder to share through (created when missing) */
  readonly dir?: string | undefined;
  /** git remote name @default 'origin' */
  readonly gitRemote?: string | undefined;
  /** DVC remote name @default DVC's default remote */
  readonly dvcRemote?: string | undefined;
}

/**
 * Registers `<dir>/git` and `<dir>/dvc` as remotes `share`. With `create` (sharing), a missing bare
 * repository is created; without it (pulling), a folder that holds none is an error.
 */
export async function setUpFolderRemotes(root: string, dir: string, create: boolean): Promise<{ git: RemotePin; dvc: RemotePin }> {
  const base = resolve(root, dir);
  const gitUrl = join(base, 'git');
  const dvcUrl = join(base, 'dvc');
  if (!create && !existsSync(join(gitUrl, 'HEAD'))) {
    throw new ReproError('REMOTE_NOT_CONFIGURED', `a shared folder expected at '${base}' (with git/ and dvc/ inside), received no ${existsSync(base) ? 'git/ repository in it' : 'such folder'}`, {
      hint: 'pass the folder given to `repro share <run> --to <folder>`',
    });
  }
  if (!existsSync(join(gitUrl, 'HEAD'))) {
    await mkdir(gitUrl, { recursive: true });
    await runGit(gitUrl, ['init', '-q', '--bare']);
    // A clone checks out the remote's HEAD: make it the branch being shared, not git's default name.
    const branch = (await runGit(root, ['symbolic-ref', '--short', '-q', 'HEAD'], { reject: false })).stdout.trim();
    if (branch) await runGit(gitUrl, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  }
  await mkdir(dvcUrl, { recursive: true });
  const existing = await runGit(root, ['remote', 'get-url', LOCAL_REMOTE_NAME], { reject: false });
  if (existing.exitCode !== 0) await runGit(root, ['remote', 'add', LOCAL_REMOTE_NAME, gitUrl]);
  else if (existing.stdout.trim() !== gitUrl) await runGit(root, ['remote', 'set-url', LOCAL_REMOTE_NAME, gitUrl]);
  await runDvc(root, ['remote', 'add', '--local', '--force', LOCAL_REMOTE_NAME, dvcUrl]);
  return { git: { name: LOCAL_REMOTE_NAME, url: gitUrl }, dvc: { name: LOCAL_REMOTE_NAME, url: dvcUrl } };
}

/** The git remote called `name` (default `origin`), with its URL. */
export async function resolveGitRemote(root: string, name: string | undefined, hint: string): Promise<RemotePin> {
  const wanted = name ?? 'origin';
  const url = await runGit(root, ['remote', 'get-url', wanted], { reject: false });
  if (url.exitCode === 0) return { name: wanted, url: url.stdout.trim() };
  const known = (await runGit(root, ['remote'])).stdout.split('\n').filter(Boolean);
  throw new ReproError('REMOTE_NOT_CONFIGURED', `git remote '${wanted}' expected, received ${known.length ? `only ${known.map((r) => `'${r}'`).join(', ')}` : 'no git remotes'}`, { hint });
}

/** DVC's configuration as `dvc config --list` prints it (all levels merged). */
export async function readDvcConfig(root: string): Promise<Map<string, string>> {
  const listed = await runDvc(root, ['config', '--list']);
  const config = new Map<string, string>();
  for (const line of listed.stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) config.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return config;
}

/** The DVC remote called `name`, else the default one; undefined when there is neither. */
export function findDvcRemote(config: Map<string, string>, name: string | undefined): RemotePin | undefined {
  const wanted = name ?? config.get('core.remote');
  const url = wanted === undefined ? undefined : config.get(`remote.${wanted}.url`);
  return wanted !== undefined && url !== undefined ? { name: wanted, url } : undefined;
}

/** Like `findDvcRemote`, but a missing remote is an error that says how to configure one. */
export function requireDvcRemote(config: Map<string, string>, name: string | undefined, hint: string): RemotePin {
  const found = findDvcRemote(config, name);
  if (found) return found;
  const known = [...config.keys()].map((k) => /^remote\.([^.]+)\.url$/.exec(k)?.[1]).filter((r): r is string => r !== undefined);
  const expected = name === undefined ? 'a default DVC remote' : `DVC remote '${name}'`;
  throw new ReproError('REMOTE_NOT_CONFIGURED', `${expected} expected, received ${known.length ? `only ${known.map((r) => `'${r}'`).join(', ')} (none is the default)` : 'no DVC remotes'}`, { hint });
}
