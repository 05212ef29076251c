/**
 * The project's modules as one walk sees them: analyses (cached, parsed on a miss), specifier resolution, root-
 * relative paths, and an index of the names behind `export *` chains. Everything is memoised for the lifetime of
 * one graph only (one call, one point in time), because files may change between two fingerprints taken with the
 * same cache; within a graph the memos matter, since every stage and every name imported through a barrel
 * consults the same files, specifiers and `export *` lists.
 */
import type { FileAnalysis, FileAnalysisCache } from './types.js';
import { resolveSpecifier, type ResolvedSpecifier, type StatMemo } from './resolve-specifier.js';
import { createAnalysisReader, toRelativePath, type AnalysisReader } from './read-analysis.js';

/** Memoised access to the modules of one project at one point in time. */
export class ModuleGraph {
  private readonly stats: StatMemo = new Map();
  private readonly reader: AnalysisReader;
  private readonly resolved = new Map<string, ResolvedSpecifier>();
  private readonly relPaths = new Map<string, string>();
  private readonly starIndexes = new Map<string, StarIndex>();

  constructor(readonly root: string, cache: FileAnalysisCache) {
    this.reader = createAnalysisReader(root, cache, this.stats);
  }

  /** The analysis of an absolute path; synchronous when no parse is needed (the warm path). */
  analyze(file: string): FileAnalysis | Promise<FileAnalysis> {
    return this.reader.peek(file) ?? this.reader.read(file);
  }

  /** What `specifier`, imported from `importer`, names. */
  resolve(importer: string, specifier: string): ResolvedSpecifier {
    const key = `${importer}\0${specifier}`;
    let target = this.resolved.get(key);
    if (target === undefined) {
      target = resolveSpecifier(importer, specifier, this.root, this.stats);
      this.resolved.set(key, target);
    }
    return target;
  }

  /** Root-relative POSIX path of `file`. */
  relativize(file: string): string {
    let rel = this.relPaths.get(file);
    if (rel === undefined) {
      rel = toRelativePath(this.root, file);
      this.relPaths.set(file, rel);
    }
    return rel;
  }

  /** Which local modules behind `file`'s `export *` chains provide which names (memoised per graph). */
  async indexStarExports(file: string): Promise<StarIndex> {
    let index = this.starIndexes.get(file);
    if (index === undefined) {
      this.starIndexes.set(file, EMPTY_INDEX); // a cycle of `export *` adds nothing new
      index = await this.buildStarIndex(file);
      this.starIndexes.set(file, index);
    }
    return index;
  }

  private async buildStarIndex(file: string): Promise<StarIndex> {
    const index: StarIndex = { values: new Map(), types: new Set(), unknown: [] };
    const a = await this.analyze(file);
    for (const specifier of a.starExports) {
      const target = this.resolve(file, specifier);
      if (target.kind !== 'local') continue;
      const t = await this.analyze(target.file);
      if (t.broken) index.unknown.push(target.file);
      for (const name in t.exports) if (name !== 'default') addSource(index.values, name, target.file);
      for (const name of t.typeNames) index.types.add(name);
      const deeper = await this.indexStarExports(target.file);
      for (const name of deeper.values.keys()) addSource(index.values, name, target.file);
      for (const name of deeper.types) index.types.add(name);
      if (deeper.unknown.length > 0) index.unknown.push(target.file);
    }
    return index;
  }
}

/** Names reachable through a module's local `export *` chains, by the star target that leads to them. */
export interface StarIndex {
  /** export name -> the star targets (direct `export *` of the module) that lead to it */
  values: Map<string, string[]>;
  /** type names declared somewhere down the chains */
  types: Set<string>;
  /** star targets that could export anything (unparsable modules down the chain) */
  unknown: string[];
}

const EMPTY_INDEX: StarIndex = { values: new Map(), types: new Set(), unknown: [] };

function addSource(values: Map<string, string[]>, name: string, file: string): void {
  const sources = values.get(name);
  if (sources === undefined) values.set(name, [file]);
  else if (!sources.includes(file)) sources.push(file);
}
