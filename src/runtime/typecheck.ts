/**
 * Type-checks experiment files and the local code they import, with ts-morph, before anything is
 * compiled: a wrong artifact kind or a misspelled param is a type error, and it should be reported as
 * `experiments/demo.ts:12` rather than surface later as a stage failure. The result is cached under
 * `.repro/cache/` by path + mtime + size of every checked file, so a no-op run does not load TypeScript.
 */
import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ReproError, type Issue } from '../errors.js';
import { CACHE_DIR } from './compile/paths.js';
import { readTextIfExists, writeJson } from './fs-atomic.js';

const CACHE_FILE = `${CACHE_DIR}/typecheck.json`;

interface TypecheckCache {
  version: 1;
  /** project-relative path → [mtimeMs, size] of every local file the last clean check read */
  files: Record<string, [number, number]>;
}

/**
 * Throws `EXPERIMENT_INVALID` with one issue per type error; returns quickly when nothing changed.
 * Returns every local file the check read (experiments, the code they import, tsconfig, lockfile) with
 * its mtime and size: together they are the inputs of a compile.
 */
export async function typecheckExperiments(root: string, experimentFiles: readonly string[]): Promise<Record<string, [number, number]>> {
  const cache = await readCache(root);
  if (cache && (await isFresh(root, cache, experimentFiles))) return cache.files;
  const { Project, ts } = await import('ts-morph');
  const project = new Project({ tsConfigFilePath: join(root, 'tsconfig.json'), skipAddingFilesFromTsConfig: true });
  for (const file of experimentFiles) project.addSourceFileAtPath(join(root, file));
  project.resolveSourceFileDependencies();
  const local = project.getSourceFiles().filter((f) => !f.getFilePath().includes('/node_modules/'));
  const issues: Issue[] = [];
  for (const diagnostic of project.getPreEmitDiagnostics()) {
    if (diagnostic.getCategory() !== ts.DiagnosticCategory.Error) continue;
    const source = diagnostic.getSourceFile();
    const file = source ? relative(root, source.getFilePath()).split('\\').join('/') : undefined;
    if (file?.startsWith('node_modules/')) continue;
    const text = ts.flattenDiagnosticMessageText(diagnostic.compilerObject.messageText, '\n').split('\n')[0] ?? '';
    issues.push({ code: 'EXPERIMENT_INVALID', file, line: diagnostic.getLineNumber(), message: `type error TS${diagnostic.getCode()}: ${text}` });
  }
  if (issues.length > 0) {
    throw new ReproError('EXPERIMENT_INVALID', `${issues.length} type error${issues.length > 1 ? 's' : ''} in experiment code`, {
      issues,
      hint: 'fix the lines above, then run `repro compile` (or `npm run typecheck` for the whole project)',
    });
  }
  const files: TypecheckCache['files'] = {};
  for (const source of local) {
    const rel = relative(root, source.getFilePath()).split('\\').join('/');
    const info = await stat(source.getFilePath()).catch(() => undefined);
    if (info) files[rel] = [info.mtimeMs, info.size];
  }
  for (const extra of ['tsconfig.json', 'package-lock.json']) {
    const info = await stat(join(root, extra)).catch(() => undefined);
    if (info) files[extra] = [info.mtimeMs, info.size];
  }
  await writeJson(join(root, CACHE_FILE), { version: 1, files } satisfies TypecheckCache);
  return files;
}

async function readCache(root: string): Promise<TypecheckCache | undefined> {
  const text = await readTextIfExists(join(root, CACHE_FILE));
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as TypecheckCache;
    return parsed.version === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function isFresh(root: string, cache: TypecheckCache, experimentFiles: readonly string[]): Promise<boolean> {
  if (experimentFiles.some((f) => !(f in cache.files))) return false;
  const checks = await Promise.all(
    Object.entries(cache.files).map(async ([file, [mtimeMs, size]]) => {
      const info = await stat(join(root, file)).catch(() => undefined);
      return info !== undefined && info.mtimeMs === mtimeMs && info.size === size;
    }),
  );
  return checks.every(Boolean);
}
