/**
 * The one door to the `dvc` and `git` command lines, through execa. Finds the project-local dvc
 * (`.venv/bin/dvc`, installed by `npm install` with an exact pin) and turns a failed command into a
 * `DVC_FAILED` / `GIT_FAILED` error with execa's short message as the headline and stderr kept below.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, ExecaError } from 'execa';
import { ReproError } from '../errors.js';

/** This package's own root (where its .venv lives), two levels above src/runtime. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CommandOptions {
  /** called with the child's stdout/stderr text as it arrives (progress for the CLI to show) */
  readonly onOutput?: ((chunk: string) => void) | undefined;
  /** extra environment for the child */
  readonly env?: Readonly<Record<string, string>>;
  /** resolve instead of throwing on a non-zero exit */
  readonly reject?: boolean;
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Path of the dvc executable: $REPRO_DVC, the project's .venv, this package's .venv, then PATH. */
export function findDvc(root: string): string {
  const fromEnv = process.env.REPRO_DVC;
  if (fromEnv) return fromEnv;
  for (const base of [root, PACKAGE_ROOT]) {
    const candidate = join(base, '.venv', 'bin', 'dvc');
    if (existsSync(candidate)) return candidate;
  }
  return 'dvc';
}

/** Runs `dvc <args>` in `root`. */
export async function runDvc(root: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return runCommand('DVC_FAILED', findDvc(root), root, args, options);
}

/** The Python interpreter the project's dvc script starts with (its shebang), which can import DVC's modules. */
export function dvcPython(root: string): string {
  const dvc = findDvc(root);
  const shebang = existsSync(dvc) ? /^#!\s*(\S+)/.exec(readFileSync(dvc, 'utf8').split('\n', 1)[0] ?? '')?.[1] : undefined;
  return shebang ?? 'python3';
}

/** Runs `git <args>` in `root`. */
export async function runGit(root: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return runCommand('GIT_FAILED', 'git', root, args, options);
}

/**
 * `git add` of those `paths` the project's .gitignore does not exclude, so a DVC experiment commit made
 * next carries them (`dvc exp run` commits tracked changes and untracked stage deps, nothing else);
 * nothing in a folder without git. Returns the paths staged.
 */
export async function stageForCommit(root: string, paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  // check-ignore: exit 0 lists ignored paths, 1 means none are, 128 means no git here.
  const ignored = await runGit(root, ['check-ignore', '--', ...paths], { reject: false });
  if (ignored.exitCode > 1) return [];
  const skip = new Set(ignored.stdout.split('\n').map((l) => l.trim()));
  const staged = paths.filter((p) => !skip.has(p));
  if (staged.length > 0) await runGit(root, ['add', '--', ...staged]);
  return staged;
}

async function runCommand(
  code: 'DVC_FAILED' | 'GIT_FAILED',
  file: string,
  cwd: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  try {
    const child = execa(file, args, {
      cwd,
      env: { ...options.env },
      reject: options.reject ?? true,
      stdin: 'ignore',
    });
    if (options.onOutput) {
      const forward = options.onOutput;
      child.stdout?.on('data', (chunk: Buffer) => forward(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => forward(chunk.toString()));
    }
    const result = await child;
    return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? 0 };
  } catch (error) {
    if (error instanceof ExecaError) {
      if ((error as { code?: string }).code === 'ENOENT') {
        throw new ReproError('DVC_MISSING', `'${file}' expected to be installed, received no such command`, {
          hint: 'run `npm install` (it creates .venv with the pinned dvc)',
          cause: error,
        });
      }
      if (error.isTerminated && error.signal === 'SIGINT') {
        throw new ReproError('INTERRUPTED', `'${[file.split('/').pop(), ...args].join(' ')}' was interrupted`, { cause: error });
      }
      const stderr = String(error.stderr ?? '').trim();
      throw new ReproError(code, `${error.shortMessage}${stderr ? `\n${indent(stderr)}` : ''}`, { cause: error });
    }
    throw error;
  }
}

function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}
