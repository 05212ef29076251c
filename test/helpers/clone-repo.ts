/**
 * A collaborator's clone for end-to-end sharing tests: `git clone <url>` into a temp folder plus a
 * symlink to this project's node_modules (what `npm install` would give it), driven like a `TmpRepo`.
 * `reproWith(env, ...)` runs the CLI with extra environment (e.g. another REPRO_BACKEND). Nothing mocked.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { DVC, ENV, must, PROJECT_ROOT, type CommandOutput, type TmpRepo } from './tmp-repo.js';

export interface CloneRepo extends TmpRepo {
  reproWith(env: Record<string, string>, ...args: string[]): Promise<CommandOutput>;
}

/** Clones `url` (e.g. a bare repository's path) into a new temp folder. Call `remove()` when done. */
export async function cloneTmpRepo(url: string): Promise<CloneRepo> {
  const parent = await mkdtemp(join(tmpdir(), 'repro-clone-'));
  const root = join(parent, 'clone');
  await must(run(parent, 'git', ['clone', '-q', url, root]));
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'));
  const repro = join(root, 'bin', 'repro.mjs');
  return {
    root,
    repro: (...args) => run(root, process.execPath, [repro, ...args]),
    reproWith: (env, ...args) => run(root, process.execPath, [repro, ...args], env),
    dvc: (...args) => run(root, DVC, args),
    git: (...args) => run(root, 'git', args),
    async write(path, content) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    },
    read: (path) => readFile(join(root, path), 'utf8'),
    exists: (path) => readFile(join(root, path)).then(() => true, (e: NodeJS.ErrnoException) => e.code === 'EISDIR'),
    remove: () => rm(parent, { recursive: true, force: true }),
  };
}

async function run(cwd: string, file: string, args: string[], env: Record<string, string> = {}): Promise<CommandOutput> {
  const result = await execa(file, args, { cwd, env: { ...ENV, ...env }, reject: false, stdin: 'ignore' });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
