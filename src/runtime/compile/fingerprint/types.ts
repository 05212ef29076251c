/**
 * The data shapes of code fingerprints: what a caller asks for (`FingerprintRequest`, `FingerprintOptions`), what
 * it gets back (`StageFingerprint`), the parsed `package-lock.json` it passes in (`LockfileV3`), and the per-file
 * syntax summary (`FileAnalysis`) that the walk consumes and the cache stores as JSON. Types only: this module has
 * no runtime code, so importing it never loads the parser.
 */

/** Which stage to fingerprint. */
export interface FingerprintRequest {
  /** absolute path of the module that defines the stage */
  file: string;
  /** name of the top-level declaration (usually an exported const) holding the stage definition */
  exportName: string;
  /** npm packages the stage declares it loads where syntax cannot see (computed require, model files) */
  packages?: readonly string[] | undefined;
}

/** Everything outside the stage's own source that the fingerprint depends on. */
export interface FingerprintOptions {
  /** project root (absolute); all paths in the output are relative to it, POSIX separators */
  root: string;
  /** parsed package-lock.json (lockfileVersion 3, `packages` map keyed 'node_modules/<name>') or null when absent */
  lockfile: LockfileV3 | null;
  /** the tensor backend kind recorded for stages whose closure imports an @tensorflow/* package, else ignored */
  backend: string;
  /** Node version string, e.g. process.version */
  node: string;
  /** per-file analysis cache; pass the same object across calls and `save()` it after the last one */
  cache: FileAnalysisCache;
}

/** The code a stage can execute, as hashes; equal fingerprints mean DVC need not rerun the stage. */
export interface StageFingerprint {
  /** format version of this object */
  version: 1;
  /** the stage definition, 'src/stages/resize-images.ts#resizeImages' */
  entry: string;
  /**
   * sha256 hex (or 'missing') by key, sorted: 'relpath#declName' for reached declarations, 'relpath#<side-effects>'
   * for a loaded module's bare statements, 'relpath#<module>' for a file taken whole (unparsable, not code, outside
   * the project, missing), 'relpath#<import x>' / '<export x>' for what a used binding takes from a package
   */
  code: Record<string, string>;
  /** npm name -> 'version integrity' for every package reached code imports, plus their locked dependencies */
  packages: Record<string, string>;
  /** Node version the fingerprint was taken under */
  node: string;
  /** tensor backend, or null unless some reached package is @tensorflow/* */
  backend: string | null;
}

/** The parts of a lockfileVersion 3 `package-lock.json` that fingerprints read. */
export interface LockfileV3 {
  /** 2 or 3; both carry the `packages` map */
  lockfileVersion?: number;
  /** '' for the project itself, 'node_modules/<name>' and 'node_modules/<a>/node_modules/<b>' for installs */
  packages: Record<string, LockedPackage>;
}

/** One entry of the lockfile's `packages` map. */
export interface LockedPackage {
  version?: string;
  integrity?: string;
  resolved?: string;
  /** true for a workspace symlink; `resolved` then names the local folder */
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** One top-level runtime declaration (or the file's bare statements), reduced to what the walk needs. */
export interface CodeUnit {
  /** sha256 of its tokens with comments, whitespace and type annotations left out */
  hash: string;
  /** top-level names it uses (declarations or import bindings); 'ns.member' for a member of a namespace import */
  refs: string[];
  /** literal specifiers of `import('…')` calls inside it; each needs the whole target module */
  dynamicImports: string[];
}

/** A top-level declaration; `runsOnImport` ones are evaluated whenever their module is loaded. */
export interface DeclarationUnit extends CodeUnit {
  /** it executes code at import time: a call, `new`, `await` or tagged template in an initializer, a decorator… */
  runsOnImport: boolean;
}

/** Where an import binding points. */
export interface ImportBinding {
  /** module specifier as written */
  specifier: string;
  /** the target's export name: a name, 'default', or '*' for the whole module namespace */
  imported: string;
}

/** What an export name of a module stands for. */
export type ExportTarget =
  | { kind: 'local'; name: string }
  | { kind: 'reexport'; specifier: string; imported: string };

/** Syntax-only summary of one source file; plain JSON so that the cache can store it. */
export interface FileAnalysis {
  /** sha256 of the file's bytes, used when the file is taken whole */
  fileHash: string;
  /** the parser reported syntax errors, so the walk takes the whole file */
  broken: boolean;
  /** `eval` or `with`: code can reach any binding by name, so the walk takes the whole module */
  opaque: boolean;
  /** runtime declarations by name; types, overload signatures and `declare` statements are left out */
  declarations: Record<string, DeclarationUnit>;
  /** bare top-level statements in order (with the names of interleaved import-time declarations), or null */
  sideEffects: CodeUnit | null;
  /** local binding -> target, for every value import (`import type` and `type` specifiers left out) */
  imports: Record<string, ImportBinding>;
  /** every specifier the module loads when it is imported: value imports and re-exports, in order */
  loads: string[];
  /** specifiers of bare `import 'x'` statements, which exist only for their side effects */
  sideEffectImports: string[];
  /** export name -> what it stands for */
  exports: Record<string, ExportTarget>;
  /** specifiers of `export * from '…'` */
  starExports: string[];
  /** names declared only as types, so an import of one that is never used as a value is not a mystery */
  typeNames: string[];
}

/** Per-file analyses stored on disk, keyed by relative path and checked against mtime and size. */
export interface FileAnalysisCache {
  /** reads the cache file once; a missing, unreadable or outdated file gives an empty cache */
  load(): Promise<void>;
  /** the stored analysis when both mtime and size match, else undefined (counted as a miss) */
  get(relPath: string, mtimeMs: number, size: number): FileAnalysis | undefined;
  /** stores a fresh analysis; `save()` writes it */
  set(relPath: string, mtimeMs: number, size: number, analysis: FileAnalysis): void;
  /** writes the cache file atomically (temp file, then rename) when something changed since load */
  save(): Promise<void>;
  /** lookups since the cache was opened; every miss is one parse (tests and benchmarks read this) */
  readonly stats: { hits: number; misses: number };
}
