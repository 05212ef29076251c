/**
 * Artifacts are the typed edges of an experiment. A stage declares the kind of each input and output
 * (`dir()` or `file()`); `x.stage()` hands back one `Artifact` per output and `x.data()` one per source
 * path. An artifact only names where its bytes come from — the compiler decides the path on disk — and
 * its `kind` is a literal type, so passing a file where a folder is expected does not type-check. An input
 * wrapped in `optional()` may be left out; the stage then receives `undefined` for it.
 */

export type ArtifactKind = 'file' | 'dir';

/** What a stage declares for one input or output. */
export interface ArtifactSpec<K extends ArtifactKind = ArtifactKind> {
  readonly kind: K;
  /** file name inside the stage's output folder (file outputs only) @default the output key */
  readonly fileName?: string | undefined;
  /** one line for `repro dag` and the schema */
  readonly description?: string | undefined;
  /** inputs only: the experiment may leave it out, and `run` then receives `undefined` for it */
  readonly optional?: boolean | undefined;
}

/** An input spec the experiment may leave out. */
export type OptionalSpec<K extends ArtifactKind = ArtifactKind> = ArtifactSpec<K> & { readonly optional: true };

/** Where an artifact's bytes come from: a DVC-tracked source path or another stage's output. */
export type ArtifactSource =
  | { readonly type: 'data'; readonly path: string }
  | { readonly type: 'output'; readonly experiment: string; readonly stage: string; readonly output: string };

/** A handle to bytes another stage can consume. Only the DSL creates these. */
export interface Artifact<K extends ArtifactKind = ArtifactKind> {
  readonly kind: K;
  readonly source: ArtifactSource;
}

/** Declares a folder input or output. */
export function dir(description?: string): ArtifactSpec<'dir'> {
  return { kind: 'dir', description };
}

/** Declares a single-file input or output; `fileName` names it inside the stage's output folder. */
export function file(options: { fileName?: string; description?: string } = {}): ArtifactSpec<'file'> {
  return { kind: 'file', fileName: options.fileName, description: options.description };
}

/** Marks an input spec optional: `inputs: { checkpoint: optional(dir('initial weights')) }`. */
export function optional<K extends ArtifactKind>(spec: ArtifactSpec<K>): OptionalSpec<K> {
  return { ...spec, optional: true };
}

/** True for values built by the DSL as artifacts (used by validation of untyped input). */
export function isArtifact(value: unknown): value is Artifact {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Artifact>;
  return (candidate.kind === 'dir' || candidate.kind === 'file') && typeof candidate.source === 'object';
}

/** Names an artifact for messages: `data 'data/raw'` or `output 'demo/resize-images.images'`. */
export function describeArtifact(artifact: Artifact): string {
  const { source } = artifact;
  return source.type === 'data'
    ? `data '${source.path}'`
    : `output '${source.experiment}/${source.stage}.${source.output}'`;
}
