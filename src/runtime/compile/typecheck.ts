/**
 * Type-checks experiment files and the local code they import before anything is compiled: a wrong
 * artifact kind or a misspelled param is a type error, and it should be reported as
 * `experiments/demo.ts:12` rather than surface later as a stage failure. Two caches keep this cheap: a
 * clean result is remembered by path + mtime + size of every checked file (a no-op run loads no
 * TypeScript), and TypeScript's incremental builder state in `.repro/cache/typecheck.tsbuildinfo` means
 * an edit re-checks only what it affects.
 * NOTE: this uses the `typescript` package, the compiler `npm run typecheck` uses, so both report the
 * same errors; ts-morph bundles another TypeScript without its lib files on disk, which the incremental
 * builder needs.
 */
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { ReproError, type Issue } from '../../errors.js';
import { CACHE_DIR } from './paths.js';
import { readTextIfExists, writeJson } from '../../kit/fs-atomic.js';

const CACHE_FILE = `${CACHE_DIR}/typecheck.json`;
const BUILD_INFO_FILE = `${CACHE_DIR}/typecheck.tsbuildinfo`;

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
  // NOTE: require, not import(): ESM import of this 9 MB CommonJS file first scans it for export names.
  const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const options = { ...parsed?.options, incremental: true, noEmit: true, tsBuildInfoFile: join(root, BUILD_INFO_FILE) };
  const program = ts.createIncrementalProgram({
    rootNames: experimentFiles.map((f) => join(root, f)),
    options,
    host: ts.createIncrementalCompilerHost(options),
  });
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  program.emit(); // with noEmit this writes only the builder state
  const local = program.getSourceFiles().filter((f) => !f.fileName.includes('/node_modules/'));
  const issues: Issue[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.category !== ts.DiagnosticCategory.Error) continue;
    const source = diagnostic.file;
    const file = source ? relative(root, source.fileName).split('\\').join('/') : undefined;
    if (file?.startsWith('node_modules/')) continue;
    const line = source && diagnostic.start !== undefined ? source.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : undefined;
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split('\n')[0] ?? '';
    issues.push({ code: 'EXPERIMENT_INVALID', file, line, message: `type error TS${diagnostic.code}: ${text}` });
  }
  if (issues.length > 0) {
    throw new ReproError('EXPERIMENT_INVALID', `${issues.length} type error${issues.length > 1 ? 's' : ''} in experiment code`, {
      issues,
      hint: 'fix the lines above, then run `repro compile` (or `npm run typecheck` for the whole project)',
    });
  }
  const files: TypecheckCache['files'] = {};
  for (const source of local) {
    const rel = relative(root, source.fileName).split('\\').join('/');
    const info = await stat(source.fileName).catch(() => undefined);
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
