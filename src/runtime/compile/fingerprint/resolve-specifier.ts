/**
 * Maps an import specifier to what it names: a local source file under the project root, an npm package, a Node
 * builtin, or something that can't be found. Relative specifiers follow TypeScript's NodeNext convention
 * (`./x.js` is written for `./x.ts`), so candidates are tried in order and the first existing file wins; files
 * outside the root or inside node_modules are reported as `external` and are never walked as local code. Only
 * `stat` touches the disk, through a memo owned by the caller (one walk), so a warm fingerprint stays cheap.
 */
import { builtinModules } from 'node:module';
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';

/** What a specifier resolved to. */
export type ResolvedSpecifier =
  | { kind: 'local'; file: string }
  | { kind: 'external'; file: string }
  | { kind: 'package'; name: string }
  | { kind: 'builtin' }
  | { kind: 'missing'; file: string };

/** A per-walk memo of `stat` results (null: nothing there, or not a file). */
export type StatMemo = Map<string, Stats | null>;

const BUILTINS = new Set(builtinModules);

/** Extensions whose files are parsed as code; anything else (JSON, WASM…) is hashed whole. */
export const CODE_EXTENSIONS = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;

/** Resolves `specifier` as imported from the file `importer`; `root` bounds what counts as local code. */
export function resolveSpecifier(importer: string, specifier: string, root: string, stats: StatMemo): ResolvedSpecifier {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return { kind: 'builtin' };
  if (specifier.startsWith('#')) return { kind: 'missing', file: path.join(root, specifier) }; // package.json "imports": not followed
  const isPath = specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..' ||
    path.isAbsolute(specifier) || specifier.startsWith('file:');
  if (!isPath) return { kind: 'package', name: readPackageName(specifier) };
  const base = specifier.startsWith('file:') ? new URL(specifier).pathname : path.resolve(path.dirname(importer), specifier);
  for (const candidate of listCandidates(base)) {
    if (statFile(candidate, stats) === null) continue;
    return isLocal(candidate, root) ? { kind: 'local', file: candidate } : { kind: 'external', file: candidate };
  }
  return { kind: 'missing', file: base };
}

/** The npm package a bare specifier belongs to: '@scope/name' or 'name' (subpaths dropped). */
export function readPackageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The `stat` of a regular file, memoised; null when missing or not a file. */
export function statFile(file: string, stats: StatMemo): Stats | null {
  const known = stats.get(file);
  if (known !== undefined) return known;
  const st = statSync(file, { throwIfNoEntry: false }) ?? null;
  const result = st !== null && st.isFile() ? st : null;
  stats.set(file, result);
  return result;
}

/** True when `file` is inside `root` and not inside a node_modules folder. */
function isLocal(file: string, root: string): boolean {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  // both are absolute and normalised (path.resolve), so a prefix test is exact
  return file.startsWith(prefix) && !`${path.sep}${file.slice(prefix.length)}`.includes(`${path.sep}node_modules${path.sep}`);
}

/** Files that `base` may mean, most specific first (TypeScript source before emitted JavaScript). */
function listCandidates(base: string): string[] {
  const ext = path.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  switch (ext) {
    case '.js': return [`${stem}.ts`, `${stem}.tsx`, base, `${stem}.jsx`, `${stem}/index.ts`];
    case '.jsx': return [`${stem}.tsx`, base];
    case '.mjs': return [`${stem}.mts`, base];
    case '.cjs': return [`${stem}.cts`, base];
    case '.ts': case '.tsx': case '.mts': case '.cts': return [base];
  }
  return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`, `${base}.js`, `${base}/index.js`];
}
