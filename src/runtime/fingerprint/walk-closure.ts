/**
 * Walks from a stage's defining declaration to every piece of local code it can execute, and collects the npm
 * packages that code imports. Four kinds of work item drive it:
 *
 *   load(file)          the module is evaluated: its bare statements, import-time declarations and every module
 *                       it statically imports are in (ES modules evaluate their whole static import graph)
 *   local(file, name)   a top-level declaration or import binding is used: hash it, follow the names it uses
 *   export(file, name)  an export is used: follow `export {…}`, re-exports and `export *` to the declaration
 *   whole(file)         the module is used as a whole (namespace, `import()`, `eval`, parse error): all of it
 *
 * Packages enter by use (a reached binding, `import 'pkg'`, a namespace), not by mere loading, so a package that
 * only unreached code imports does not rerun the stage. When unsure, the walk takes more, never less.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { FileAnalysis, FileAnalysisCache, ImportBinding } from './types.js';
import { resolveSpecifier, type ResolvedSpecifier, type StatMemo } from './resolve-specifier.js';
import { createAnalysisReader, toRelativePath, type AnalysisReader } from './read-analysis.js';

/** What a stage's closure contains. */
export interface Closure {
  /** 'relpath#name' | 'relpath#<side-effects>' | 'relpath#<module>' -> hash (unsorted) */
  code: Map<string, string>;
  /** npm packages imported by reached code */
  packages: Set<string>;
}

type WorkItem =
  | { kind: 'load'; file: string }
  | { kind: 'local' | 'export'; file: string; name: string }
  | { kind: 'whole'; file: string };

/** Walks the closure of the declaration `name` in `file` (absolute); throws when the file has no such name. */
export async function walkClosure(file: string, name: string, root: string, cache: FileAnalysisCache): Promise<Closure> {
  if (!existsSync(file)) throw new Error(`stage module '${toRelativePath(root, file)}': expected a file, found nothing`);
  const walk = new ClosureWalk(root, cache);
  const entry = await walk.reader.read(file);
  const known = Object.hasOwn(entry.declarations, name) || Object.hasOwn(entry.imports, name);
  if (!known && !Object.hasOwn(entry.exports, name) && !entry.broken) {
    throw new Error(`stage module '${toRelativePath(root, file)}': expected a top-level declaration '${name}', found none`);
  }
  walk.push({ kind: 'load', file });
  walk.push(known ? { kind: 'local', file, name } : { kind: 'export', file, name });
  await walk.run();
  return walk.closure;
}

class ClosureWalk {
  readonly closure: Closure = { code: new Map(), packages: new Set() };
  readonly reader: AnalysisReader;
  private readonly stats: StatMemo = new Map();
  private readonly stack: WorkItem[] = [];
  private readonly done = new Map<string, { load: boolean; whole: boolean; local: Set<string>; export: Set<string> }>();
  // per-walk memos: a barrel's `export *` list is consulted for every name imported through it
  private readonly resolved = new Map<string, ResolvedSpecifier>();
  private readonly relPaths = new Map<string, string>();
  private readonly exported = new Map<string, boolean>();

  constructor(private readonly root: string, cache: FileAnalysisCache) {
    this.reader = createAnalysisReader(root, cache, this.stats);
  }

  /** Queues `item` unless it was queued before in this walk. */
  push(item: WorkItem): void {
    let done = this.done.get(item.file);
    if (done === undefined) {
      done = { load: false, whole: false, local: new Set(), export: new Set() };
      this.done.set(item.file, done);
    }
    if (item.kind === 'load' || item.kind === 'whole') {
      if (done[item.kind]) return;
      done[item.kind] = true;
    } else {
      if (done[item.kind].has(item.name)) return;
      done[item.kind].add(item.name);
    }
    this.stack.push(item);
  }

  async run(): Promise<void> {
    for (let item = this.stack.pop(); item !== undefined; item = this.stack.pop()) {
      const analysis = this.reader.peek(item.file) ?? (await this.reader.read(item.file));
      if (item.kind === 'load') this.load(item.file, analysis);
      else if (item.kind === 'local') this.local(item.file, item.name, analysis);
      else if (item.kind === 'export') await this.export(item.file, item.name, analysis);
      else this.whole(item.file, analysis);
    }
  }

  private load(file: string, a: FileAnalysis): void {
    const rel = this.rel(file);
    if (a.broken) {
      this.closure.code.set(`${rel}#<module>`, a.fileHash);
      this.push({ kind: 'whole', file });
    }
    if (a.opaque) this.push({ kind: 'whole', file });
    if (a.sideEffects !== null) {
      this.closure.code.set(`${rel}#<side-effects>`, a.sideEffects.hash);
      this.followUses(file, a.sideEffects.refs, a.sideEffects.dynamicImports, a);
    }
    for (const [name, unit] of Object.entries(a.declarations)) {
      if (unit.runsOnImport) this.push({ kind: 'local', file, name });
    }
    for (const specifier of a.loads) {
      const target = this.resolve(file, specifier);
      if (target?.kind === 'local') this.push({ kind: 'load', file: target.file });
      else if (target?.kind === 'package' && a.sideEffectImports.includes(specifier)) this.closure.packages.add(target.name);
    }
  }

  private local(file: string, name: string, a: FileAnalysis): void {
    if (Object.hasOwn(a.declarations, name)) {
      const unit = a.declarations[name]!;
      this.closure.code.set(`${this.rel(file)}#${name}`, unit.hash);
      this.followUses(file, unit.refs, unit.dynamicImports, a);
    } else if (Object.hasOwn(a.imports, name)) {
      this.followBinding(file, a.imports[name]!);
    } else if (!a.typeNames.includes(name)) {
      this.push({ kind: 'whole', file }); // a name the analysis can't place: take everything
    }
  }

  private async export(file: string, name: string, a: FileAnalysis): Promise<void> {
    if (Object.hasOwn(a.exports, name)) {
      const target = a.exports[name]!;
      if (target.kind === 'local') this.push({ kind: 'local', file, name: target.name });
      else this.followBinding(file, target);
      return;
    }
    if (a.typeNames.includes(name) || a.broken) return;
    let found = false;
    for (const specifier of name === 'default' ? [] : a.starExports) {
      const target = this.resolve(file, specifier);
      if (target?.kind === 'local' && (await this.hasExport(target.file, name))) {
        this.push({ kind: 'export', file: target.file, name });
        found = true;
      }
    }
    if (found) return;
    // not found locally: it comes from a package behind `export *`, or the analysis missed something
    let fromPackage = false;
    for (const specifier of a.starExports) {
      const target = this.resolve(file, specifier);
      if (target?.kind !== 'package') continue;
      this.closure.packages.add(target.name);
      fromPackage = true;
    }
    if (!fromPackage) this.push({ kind: 'whole', file });
  }

  private whole(file: string, a: FileAnalysis): void {
    this.push({ kind: 'load', file });
    for (const name of Object.keys(a.declarations)) this.push({ kind: 'local', file, name });
    for (const name of Object.keys(a.exports)) this.push({ kind: 'export', file, name });
    for (const specifier of a.starExports) this.followBinding(file, { specifier, imported: '*' });
    if (a.opaque) for (const name of Object.keys(a.imports)) this.push({ kind: 'local', file, name });
  }

  /** Follows the names and `import()` calls used by one unit of `file`. */
  private followUses(file: string, refs: readonly string[], dynamicImports: readonly string[], a: FileAnalysis): void {
    for (const ref of refs) {
      const dot = ref.indexOf('.');
      if (dot === -1) {
        this.push({ kind: 'local', file, name: ref });
        continue;
      }
      const binding = Object.hasOwn(a.imports, ref.slice(0, dot)) ? a.imports[ref.slice(0, dot)] : undefined;
      if (binding !== undefined) this.followBinding(file, { specifier: binding.specifier, imported: ref.slice(dot + 1) });
    }
    for (const specifier of dynamicImports) this.followBinding(file, { specifier, imported: '*' });
  }

  /** Follows an import binding (or re-export) of `file` into its target module or package. */
  private followBinding(file: string, binding: ImportBinding): void {
    const target = this.resolve(file, binding.specifier);
    if (target === null) return;
    if (target.kind === 'package') {
      this.closure.packages.add(target.name);
      return;
    }
    this.push({ kind: 'load', file: target.file });
    this.push(binding.imported === '*' ? { kind: 'whole', file: target.file } : { kind: 'export', file: target.file, name: binding.imported });
  }

  /** Resolves a specifier; builtins give null, files outside the project are hashed whole right here. */
  private resolve(file: string, specifier: string): { kind: 'local'; file: string } | { kind: 'package'; name: string } | null {
    const target = this.resolveMemo(file, specifier);
    switch (target.kind) {
      case 'local': case 'package': return target;
      case 'builtin': return null;
      case 'missing':
        this.closure.code.set(`${this.rel(target.file)}#<module>`, 'missing');
        return null;
      case 'external':
        this.closure.code.set(`${this.rel(target.file)}#<module>`, hashFile(target.file));
        return null;
    }
  }

  /** True when `file` exports `name`, directly or through `export *` of local modules (memoised per walk). */
  private async hasExport(file: string, name: string): Promise<boolean> {
    const key = `${file}\0${name}`;
    let found = this.exported.get(key);
    if (found === undefined) {
      found = await this.searchExport(file, name, new Set());
      this.exported.set(key, found);
    }
    return found;
  }

  private async searchExport(file: string, name: string, seen: Set<string>): Promise<boolean> {
    if (seen.has(file)) return false; // a cycle of `export *`
    seen.add(file);
    const a = this.reader.peek(file) ?? (await this.reader.read(file));
    if (Object.hasOwn(a.exports, name) || a.broken) return true;
    for (const specifier of a.starExports) {
      const target = this.resolveMemo(file, specifier);
      if (target.kind === 'local' && (await this.searchExport(target.file, name, seen))) return true;
    }
    return false;
  }

  private resolveMemo(file: string, specifier: string): ResolvedSpecifier {
    const key = `${file}\0${specifier}`;
    let target = this.resolved.get(key);
    if (target === undefined) {
      target = resolveSpecifier(file, specifier, this.root, this.stats);
      this.resolved.set(key, target);
    }
    return target;
  }

  private rel(file: string): string {
    let rel = this.relPaths.get(file);
    if (rel === undefined) {
      rel = toRelativePath(this.root, file);
      this.relPaths.set(file, rel);
    }
    return rel;
  }
}

/** sha256 of a file outside the project (read as-is, never walked). */
function hashFile(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
}
