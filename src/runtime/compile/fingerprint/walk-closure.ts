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
 * only unreached code imports does not rerun the stage. Each used binding into a package or builtin is recorded
 * as 'relpath#<import name>' (what it imports from where), since renaming an import changes behaviour without
 * changing the code that uses it. When unsure, the walk takes more, never less.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ReproError } from '../../../errors.js';
import type { FileAnalysis, ImportBinding } from './types.js';
import { ModuleGraph } from './module-graph.js';

/** What a stage's closure contains. */
export interface Closure {
  /** 'relpath#name' | 'relpath#<side-effects>' | 'relpath#<module>' | 'relpath#<import x>' -> hash (unsorted) */
  code: Map<string, string>;
  /** npm packages imported by reached code */
  packages: Set<string>;
}

const RECOMPILE = 'run `repro compile` to find the stages again';

type WorkItem =
  | { kind: 'load'; file: string }
  | { kind: 'whole'; file: string }
  | { kind: 'local'; file: string; name: string }
  | { kind: 'export'; file: string; name: string };

/** Walks the closure of the declaration `name` in `file` (absolute); throws when there is no such declaration. */
export async function walkClosure(file: string, name: string, graph: ModuleGraph): Promise<Closure> {
  if (!existsSync(file)) {
    throw new ReproError('EXPERIMENT_INVALID', `stage module '${graph.relativize(file)}': expected a file, found nothing`, { hint: RECOMPILE });
  }
  const walk = new ClosureWalk(graph);
  const entry = await graph.analyze(file);
  const known = Object.hasOwn(entry.declarations, name) || Object.hasOwn(entry.imports, name);
  if (!known && !Object.hasOwn(entry.exports, name) && !entry.broken) {
    const message = `stage module '${graph.relativize(file)}': expected a top-level declaration '${name}', found none`;
    throw new ReproError('EXPERIMENT_INVALID', message, { hint: RECOMPILE });
  }
  walk.push({ kind: 'load', file });
  walk.push(known ? { kind: 'local', file, name } : { kind: 'export', file, name });
  await walk.run();
  return walk.closure;
}

class ClosureWalk {
  readonly closure: Closure = { code: new Map(), packages: new Set() };
  private readonly stack: WorkItem[] = [];
  private readonly done = new Map<string, { load: boolean; whole: boolean; local: Set<string>; export: Set<string> }>();

  constructor(readonly graph: ModuleGraph) {}

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
      const pending = this.graph.analyze(item.file);
      const a = pending instanceof Promise ? await pending : pending; // no microtask per item when warm
      if (item.kind === 'load') this.load(item.file, a);
      else if (item.kind === 'local') this.local(item.file, item.name, a);
      else if (item.kind === 'export') await this.export(item.file, item.name, a);
      else this.whole(item.file, a);
    }
  }

  private load(file: string, a: FileAnalysis): void {
    const rel = this.graph.relativize(file);
    if (a.broken) {
      this.closure.code.set(`${rel}#<module>`, a.fileHash);
      this.push({ kind: 'whole', file });
    }
    if (a.opaque) this.push({ kind: 'whole', file });
    if (a.sideEffects !== null) {
      this.closure.code.set(`${rel}#<side-effects>`, a.sideEffects.hash);
      this.followUses(file, a.sideEffects.refs, a.sideEffects.dynamicImports, a);
    }
    for (const name in a.declarations) {
      if (a.declarations[name]!.runsOnImport) this.push({ kind: 'local', file, name });
    }
    for (const specifier of a.loads) {
      const target = this.graph.resolve(file, specifier);
      if (target.kind === 'local') this.push({ kind: 'load', file: target.file });
      else if (target.kind === 'missing' || target.kind === 'external') this.followBinding(file, { specifier, imported: '*' }, null);
      else if (a.sideEffectImports.includes(specifier)) this.followBinding(file, { specifier, imported: '' }, `import '${specifier}'`);
    }
  }

  private local(file: string, name: string, a: FileAnalysis): void {
    if (Object.hasOwn(a.declarations, name)) {
      const unit = a.declarations[name]!;
      this.closure.code.set(`${this.graph.relativize(file)}#${name}`, unit.hash);
      this.followUses(file, unit.refs, unit.dynamicImports, a);
    } else if (Object.hasOwn(a.imports, name)) {
      this.followBinding(file, a.imports[name]!, `import ${name}`);
    } else if (!a.typeNames.includes(name)) {
      this.push({ kind: 'whole', file }); // a name the analysis can't place: take everything
    }
  }

  private async export(file: string, name: string, a: FileAnalysis): Promise<void> {
    if (Object.hasOwn(a.exports, name)) {
      const target = a.exports[name]!;
      if (target.kind === 'local') this.push({ kind: 'local', file, name: target.name });
      else this.followBinding(file, target, `export ${name}`);
      return;
    }
    if (a.typeNames.includes(name) || a.broken) return;
    const index = name === 'default' ? undefined : await this.graph.indexStarExports(file);
    const sources = [...(index?.values.get(name) ?? []), ...(index?.unknown ?? [])];
    for (const source of sources) this.push({ kind: 'export', file: source, name });
    // found, or a type imported without `type` that some code mentions (nothing runs)
    if (sources.length > 0 || index?.types.has(name) === true) return;
    // not in any local module: it comes from a package behind `export *`, or the analysis missed something
    let fromPackage = false;
    for (const specifier of a.starExports) {
      if (this.graph.resolve(file, specifier).kind !== 'package') continue;
      this.followBinding(file, { specifier, imported: '*' }, `export * from '${specifier}'`);
      fromPackage = true;
    }
    if (!fromPackage) this.push({ kind: 'whole', file });
  }

  private whole(file: string, a: FileAnalysis): void {
    this.push({ kind: 'load', file });
    for (const name in a.declarations) this.push({ kind: 'local', file, name });
    for (const name in a.exports) this.push({ kind: 'export', file, name });
    for (const specifier of a.starExports) this.followBinding(file, { specifier, imported: '*' }, `export * from '${specifier}'`);
    if (a.opaque) for (const name in a.imports) this.push({ kind: 'local', file, name });
  }

  /** Follows the names and `import()` calls used by one unit of `file`. */
  private followUses(file: string, refs: readonly string[], dynamicImports: readonly string[], a: FileAnalysis): void {
    for (const ref of refs) {
      const dot = ref.indexOf('.');
      if (dot === -1) {
        this.push({ kind: 'local', file, name: ref });
        continue;
      }
      const ns = ref.slice(0, dot);
      const binding = Object.hasOwn(a.imports, ns) ? a.imports[ns]! : undefined;
      if (binding === undefined) continue;
      const member = { specifier: binding.specifier, imported: ref.slice(dot + 1) };
      if (this.graph.resolve(file, binding.specifier).kind === 'local') this.followBinding(file, member, null);
      else this.followBinding(file, binding, `import ${ns}`); // the member is in the code; the binding says where from
    }
    for (const specifier of dynamicImports) this.followBinding(file, { specifier, imported: '*' }, null);
  }

  /**
   * Follows an import binding (or re-export) of `file` into its target module or package. `label` names the
   * binding; for packages and builtins it becomes the key 'relpath#<label>' recording what is imported from where.
   */
  private followBinding(file: string, binding: ImportBinding, label: string | null): void {
    const target = this.graph.resolve(file, binding.specifier);
    switch (target.kind) {
      case 'local':
        this.push({ kind: 'load', file: target.file });
        this.push(binding.imported === '*' ? { kind: 'whole', file: target.file } : { kind: 'export', file: target.file, name: binding.imported });
        return;
      case 'package':
        this.closure.packages.add(target.name);
        if (label !== null) this.recordBinding(file, label, binding);
        return;
      case 'builtin':
        if (label !== null) this.recordBinding(file, label, binding);
        return;
      case 'missing':
        this.closure.code.set(`${this.graph.relativize(target.file)}#<module>`, 'missing');
        return;
      case 'external':
        this.closure.code.set(`${this.graph.relativize(target.file)}#<module>`, hashFile(target.file));
        return;
    }
  }

  private recordBinding(file: string, label: string, binding: ImportBinding): void {
    const what = createHash('sha256').update(`${binding.specifier}\0${binding.imported}`).digest('hex');
    this.closure.code.set(`${this.graph.relativize(file)}#<${label}>`, what);
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
