/**
 * A real project in a temp folder for end-to-end tests: a copy of this project's `src/`, `bin/`,
 * package files and tsconfig, a symlink to its node_modules, the experiments and extra files a test
 * gives, and real `git` and `dvc` repositories with a first commit. `repro()` runs the real CLI there
 * as a child process; `dvc()` and `git()` run the real tools. Nothing is mocked.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** This project's root. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DVC = join(PROJECT_ROOT, '.venv', 'bin', 'dvc');

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface TmpRepo {
  root: string;
  repro(...args: string[]): Promise<CommandOutput>;
  dvc(...args: string[]): Promise<CommandOutput>;
  git(...args: string[]): Promise<CommandOutput>;
  write(path: string, content: string | Uint8Array): Promise<void>;
  read(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
  remove(): Promise<void>;
}

export interface TmpRepoOptions {
  /** project-relative path → content, written before the first commit */
  files?: Record<string, string | Uint8Array>;
  /** run `git init` + `dvc init` + a first commit @default true */
  init?: boolean;
  /** paths to `dvc add` before the first commit, e.g. ['data/raw'] */
  dvcAdd?: string[];
}

/** What a project's .gitignore holds for repro (the project's own also ignores its demo data). */
const GITIGNORE = 'node_modules\n/out/\n/.repro/cache/\n/.repro/runs/\n';

export const ENV = {
  REPRO_DVC: DVC,
  DVC_NO_ANALYTICS: '1',
  GIT_AUTHOR_NAME: 'repro test',
  GIT_AUTHOR_EMAIL: 'test@repro.invalid',
  GIT_COMMITTER_NAME: 'repro test',
  GIT_COMMITTER_EMAIL: 'test@repro.invalid',
  NO_COLOR: '1',
};

/** Creates the temp project. Call `remove()` when done. */
export async function makeTmpRepo(options: TmpRepoOptions = {}): Promise<TmpRepo> {
  const root = await mkdtemp(join(tmpdir(), 'repro-test-'));
  // dist/ comes along with the sources' timestamps, so the copy runs the built CLI as an install would.
  for (const entry of ['src', 'bin', 'dist', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    if (existsSync(join(PROJECT_ROOT, entry))) {
      await cp(join(PROJECT_ROOT, entry), join(root, entry), { recursive: true, preserveTimestamps: true });
    }
  }
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'));
  await writeFile(join(root, '.gitignore'), GITIGNORE);
  await mkdir(join(root, 'experiments'), { recursive: true });
  const run = async (file: string, args: string[]): Promise<CommandOutput> => {
    const result = await execa(file, args, { cwd: root, env: ENV, reject: false, stdin: 'ignore' });
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
  const repo: TmpRepo = {
    root,
    repro: (...args) => run(process.execPath, [join(root, 'bin', 'repro.mjs'), ...args]),
    dvc: (...args) => run(DVC, args),
    git: (...args) => run('git', args),
    async write(path, content) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    },
    read: (path) => readFile(join(root, path), 'utf8'),
    exists: (path) => readFile(join(root, path)).then(() => true, (e: NodeJS.ErrnoException) => e.code === 'EISDIR'),
    remove: () => rm(root, { recursive: true, force: true }),
  };
  for (const [path, content] of Object.entries(options.files ?? {})) await repo.write(path, content);
  if (options.init !== false) {
    await must(repo.git('init', '-q', '-b', 'main'));
    await must(repo.dvc('init', '-q'));
    await must(repo.dvc('config', 'core.analytics', 'false'));
    for (const path of options.dvcAdd ?? []) await must(repo.dvc('add', path));
    await must(repo.git('add', '-A'));
    await must(repo.git('commit', '-q', '-m', 'start'));
  }
  return repo;
}

/** Throws with the command's output when it failed. */
export async function must(pending: Promise<CommandOutput>): Promise<CommandOutput> {
  const result = await pending;
  if (result.exitCode !== 0) throw new Error(`command failed (${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  return result;
}
