/**
 * `defineStage` declares one reusable pipeline step: an id, a JSON Schema for its params (the TypeScript
 * type is derived from it, so there is one source of truth), typed inputs and outputs, the metrics and
 * plots it reports, and `run(ctx)`. A stage gets everything through `RunContext` — params, input and
 * output paths, a seed, a logger, an abort signal, the TensorFlow.js namespace — and must not read
 * `process.env`, argv or keep module state. The definition remembers the module it was declared in, which is what code fingerprints hash.
 */
import type { ResourcesOverride } from './resources.js';
import type { ToleranceOverride } from './tolerance.js';
import type { TSchema } from '@sinclair/typebox';
import type { ArtifactKind, ArtifactSpec } from './artifact.js';
import { captureCallSite } from './call-site.js';
import type { RunParams } from './defaulted.js';

/** The TensorFlow.js namespace (tfjs-node and tfjs-node-gpu re-export it with the native backend added). */
export type TfNamespace = typeof import('@tensorflow/tfjs');

export type ArtifactSpecs = Readonly<Record<string, ArtifactSpec>>;

/** Paths handed to `run`: one project-relative path per declared input or output. */
export type ArtifactPaths<S extends ArtifactSpecs> = { readonly [K in keyof S]: string };

/** Input paths handed to `run`: an optional input the experiment left out is `undefined`. */
export type InputPaths<S extends ArtifactSpecs> = {
  readonly [K in keyof S]: S[K] extends { readonly optional: true } ? string | undefined : string;
};

/** The logger a stage writes progress to (stderr, prefixed with the stage name). */
export interface StageLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Plain JSON a stage reports: one object per declared metrics file. */
export type MetricsValue = { readonly [key: string]: number | string | boolean | null | MetricsValue };

/**
 * Rows for one declared plot, written as JSON for `dvc plots show`. Every row needs the same keys (DVC
 * skips a file whose rows differ): write `null` for a value a row does not have.
 */
export type PlotRows = readonly Readonly<Record<string, number | string | null>>[];

export interface RunContext<P, I extends ArtifactSpecs, O extends ArtifactSpecs> {
  /** validated params with defaults applied */
  readonly params: P;
  /** read-only input paths, relative to the project root (`undefined` for an optional input left out) */
  readonly inputs: InputPaths<I>;
  /** output paths to write (temporary; renamed into place when `run` resolves) */
  readonly outputs: ArtifactPaths<O>;
  /** seed for every random draw: `params.seed` when the stage has one, else derived from the params */
  readonly seed: number;
  readonly log: StageLogger;
  /**
   * a folder for what a rerun may resume from (checkpoints): it survives a failed, interrupted or killed
   * run with the same params, code and inputs, and is removed once the outputs are in place
   */
  readonly workDir: string;
  /** true when `workDir` holds files from an earlier, unfinished run of the same configuration */
  readonly resuming: boolean;
  /**
   * an untracked folder for logs meant for people, not for DVC (TensorBoard event files, which hold wall
   * times): `runs/logs/<dvc stage>/`, kept across runs; not created until the stage writes there
   */
  readonly logDir: string;
  /** aborted on SIGINT/SIGTERM; long loops should check it */
  readonly signal: AbortSignal;
  /**
   * cores this run may keep busy: what `repro run -j` or Slurm granted, else the stage's `resources.cpus`
   * on this machine; size thread pools by it, and never let an output depend on it
   */
  readonly cpus: number;
  /**
   * TensorFlow.js with the backend this stage's code fingerprint records already active (native TensorFlow
   * on a GPU or CPU, wasm, or cpu); loaded by `repro exec` only for stages whose code imports TensorFlow.js,
   * so for any other stage touching it throws
   */
  readonly tf: TfNamespace;
}

/** A plot with its axes: rows are drawn as `y` fields against `x`. */
export interface PlotSpec {
  readonly name: string;
  readonly x: string;
  readonly y: readonly string[];
  readonly title?: string;
}

/** A plot's name, whether declared plainly or with axes. */
export function plotName(plot: string | PlotSpec): string {
  return typeof plot === 'string' ? plot : plot.name;
}

/** What `run` may return: metrics per declared metrics name and rows per declared plot. */
export interface StageResult {
  readonly metrics?: Readonly<Record<string, MetricsValue>>;
  readonly plots?: Readonly<Record<string, PlotRows>>;
}

export interface StageSpec<P extends TSchema, I extends ArtifactSpecs, O extends ArtifactSpecs> {
  /** kebab-case id, also the file name under src/stages: `^[a-z][a-z0-9-]*$` */
  readonly id: string;
  /** one line shown by `repro dag` and `repro schema` */
  readonly description?: string;
  /** JSON Schema of the params (TypeBox); `$ref`s to shared definitions are resolved at compile time */
  readonly params: P;
  readonly inputs: I;
  readonly outputs: O;
  /** names of metrics files → reports/<experiment>/<stage>/<name>.json @default [] */
  readonly metrics?: readonly string[];
  /**
   * plot files → reports/<experiment>/<stage>/plots/<name>.json: a name, or a name with the x field and the
   * y fields `dvc plots show` should draw (several y fields become one multi-series plot) @default []
   */
  readonly plots?: readonly (string | PlotSpec)[];
  /**
   * npm packages the stage loads where the code fingerprint cannot see them (a computed `require`, model
   * weights read from a package folder); their lockfile entries join the fingerprint @default []
   */
  readonly packages?: readonly string[];
  /**
   * how far a recomputed output may differ and still count as reproduced (`repro verify --recompute`);
   * stages whose float kernels can take other paths on other machines declare `FLOAT_KERNELS` @default EXACT
   */
  readonly tolerance?: ToleranceOverride;
  /** cores, memory and GPUs it needs (`repro run -j`, the Slurm executor) @default SMALL: 1 cpu, 2 GiB, no GPU */
  readonly resources?: ResourcesOverride;
  /** `params` are validated, with `Defaulted` fields present (see `RunParams`) */
  run(ctx: RunContext<RunParams<P>, I, O>): Promise<StageResult | void>;
}

export interface StageDefinition<
  P extends TSchema = TSchema,
  I extends ArtifactSpecs = ArtifactSpecs,
  O extends ArtifactSpecs = ArtifactSpecs,
> extends StageSpec<P, I, O> {
  /** absolute path of the module that called `defineStage` (what code fingerprints start from) */
  readonly module: string | undefined;
}

/** Declares a stage. Identity helper plus the defining module's path. */
export function defineStage<P extends TSchema, I extends ArtifactSpecs, O extends ArtifactSpecs>(
  spec: StageSpec<P, I, O>,
): StageDefinition<P, I, O> {
  return Object.freeze({ ...spec, module: captureCallSite()?.file });
}

/** The kind an input or output spec declares. */
export type KindOf<S> = S extends ArtifactSpec<infer K extends ArtifactKind> ? K : never;
