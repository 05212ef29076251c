/**
 * Gets the `FileAnalysis` of a local file for one walk: from the cache when the file's mtime and size match,
 * otherwise by reading and parsing it and storing the result. The parser (`./analyze-file.js`, which loads
 * ts-morph) is imported only on the first miss, so a fully warm walk never pays for loading TypeScript. Files that
 * are not code (JSON, WASM, …) and files that can't be read get a whole-file analysis that needs no parser.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FileAnalysis, FileAnalysisCache } from './types.js';
import { CODE_EXTENSIONS, statFile, type StatMemo } from './resolve-specifier.js';

/** Gives analyses of absolute file paths for one walk, memoised for the lifetime of the reader. */
export interface AnalysisReader {
  /** the analysis when it needs no parsing (memoised, cached, or the file is missing); synchronous for speed */
  peek(file: string): FileAnalysis | undefined;
  /** the analysis, reading and parsing the file on a cache miss */
  read(file: string): Promise<FileAnalysis>;
}

/** Creates a reader for one walk; `stats` is that walk's stat memo. */
export function createAnalysisReader(root: string, cache: FileAnalysisCache, stats: StatMemo): AnalysisReader {
  const memo = new Map<string, FileAnalysis>();
  const missed = new Map<string, { rel: string; mtimeMs: number; size: number }>();
  const reader: AnalysisReader = {
    peek(file) {
      const known = memo.get(file);
      if (known !== undefined || missed.has(file)) return known;
      const st = statFile(file, stats);
      const rel = toRelativePath(root, file);
      const analysis = st === null ? describeWholeFile('missing') : cache.get(rel, st.mtimeMs, st.size);
      if (analysis !== undefined) memo.set(file, analysis);
      else missed.set(file, { rel, mtimeMs: st!.mtimeMs, size: st!.size });
      return analysis;
    },
    async read(file) {
      const known = reader.peek(file);
      if (known !== undefined) return known;
      const { rel, mtimeMs, size } = missed.get(file)!;
      const analysis = await analyzeFromDisk(file);
      if (analysis !== undefined) cache.set(rel, mtimeMs, size, analysis);
      memo.set(file, analysis ?? describeWholeFile('unreadable')); // unreadable: not cached, may work next time
      missed.delete(file);
      return memo.get(file)!;
    },
  };
  return reader;
}

/** Root-relative POSIX path of `file` ('../x.ts' for files outside the root). */
export function toRelativePath(root: string, file: string): string {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  const rel = file.startsWith(prefix) ? file.slice(prefix.length) : path.relative(root, file); // fast path first
  return path.sep === '/' ? rel : rel.split(path.sep).join('/');
}

/** Reads and analyses a file; the parser is imported here, on the first miss only. Undefined when unreadable. */
async function analyzeFromDisk(file: string): Promise<FileAnalysis | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  if (!CODE_EXTENSIONS.test(file)) return describeWholeFile(createHash('sha256').update(bytes).digest('hex'));
  const { analyzeFile } = await import('./analyze-file.js');
  return analyzeFile(bytes.toString('utf8'), file);
}

/** An analysis with no structure: the walk records `fileHash` under '<module>'. */
function describeWholeFile(fileHash: string): FileAnalysis {
  return {
    fileHash, broken: true, opaque: false, declarations: {}, sideEffects: null, imports: {}, loads: [],
    sideEffectImports: [], exports: {}, starExports: [], typeNames: [],
  };
}
