/**
 * `defineExperiment(name, x => ...)` composes stages into an experiment. `x.stage(stage, { inputs,
 * params, id? })` records one stage instance and returns its typed output handles; passing a handle as
 * another stage's input is the only way to connect stages, and that is the dependency edge. `x.data(path)`
 * names DVC-tracked source data. The builder only records plain data — nothing runs, nothing is read —
 * and remembers the file and line of every call so validation can point at it.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { Artifact, ArtifactKind } from './artifact.js';
import { captureCallSite, type CallSite } from './call-site.js';
import type { ArtifactSpecs, KindOf, StageDefinition } from './stage.js';
import type { ResourcesOverride } from './resources.js';
import type { ToleranceOverride } from './tolerance.js';

/** Typed output handles of one stage instance. */
export type OutputHandles<O extends ArtifactSpecs> = { readonly [K in keyof O]: Artifact<KindOf<O[K]>> };

/** Input names the experiment must give (not declared with `optional()`). */
export type RequiredInputNames<I extends ArtifactSpecs> = { [K in keyof I]: I[K] extends { readonly optional: true } ? never : K }[keyof I];

/** Typed inputs a stage instance is given: every required input, and optional ones when wanted. */
export type InputHandles<I extends ArtifactSpecs> = { readonly [K in RequiredInputNames<I>]: Artifact<KindOf<I[K]>> } & {
  readonly [K in Exclude<keyof I, RequiredInputNames<I>>]?: Artifact<KindOf<I[K]>>;
};

export interface StageOptions<P extends TSchema, I extends ArtifactSpecs> {
  readonly inputs: InputHandles<I>;
  readonly params: Static<P>;
  /** instance id when one stage is used twice in an experiment @default the stage's id */
  readonly id?: string;
  /** fields of the stage's recompute tolerance to override for this instance (`repro verify --recompute`) */
  readonly tolerance?: ToleranceOverride;
  /**
   * run this instance in TensorFlow's deterministic mode (one thread, deterministic ops, no oneDNN; see
   * `repro run --deterministic`): slower, and the same floats on any CPU with the same kernels @default false
   */
  readonly deterministic?: boolean;
  /** fields of the stage's resources to override for this instance (`repro run -j`, the Slurm executor) */
  readonly resources?: ResourcesOverride;
}

/** One use of a stage inside an experiment. */
export interface StageInstance<O extends ArtifactSpecs = ArtifactSpecs> {
  /** unique within the experiment; the DVC stage is `<experiment>_<id>` */
  readonly id: string;
  readonly stage: StageDefinition;
  readonly params: unknown;
  readonly inputs: Readonly<Record<string, Artifact>>;
  readonly outputs: OutputHandles<O>;
  /** where `x.stage` was called */
  readonly site: CallSite | undefined;
  /** the experiment's override of the stage's tolerance */
  readonly tolerance: ToleranceOverride | undefined;
  /** run in TensorFlow's deterministic mode */
  readonly deterministic: boolean;
  /** the experiment's override of the stage's resources */
  readonly resources: ResourcesOverride | undefined;
}

/** One `x.data(path)` call. */
export interface DataSource {
  readonly path: string;
  readonly kind: ArtifactKind;
  readonly site: CallSite | undefined;
}

export interface ExperimentBuilder {
  stage<P extends TSchema, I extends ArtifactSpecs, O extends ArtifactSpecs>(
    stage: StageDefinition<P, I, O>,
    options: StageOptions<P, I>,
  ): StageInstance<O>;
  /** A DVC-tracked folder (default) or file, relative to the project root. */
  data(path: string): Artifact<'dir'>;
  data<K extends ArtifactKind>(path: string, kind: K): Artifact<K>;
}

/** The plain-data result of `defineExperiment`. */
export interface Experiment {
  readonly name: string;
  readonly stages: readonly StageInstance[];
  readonly sources: readonly DataSource[];
  /** where `defineExperiment` was called */
  readonly site: CallSite | undefined;
  /** an exception thrown by the builder callback, kept so validation can report it with the rest */
  readonly buildError: unknown;
}

/** Declares an experiment. The callback runs once, now, and only records stage instances. */
export function defineExperiment(name: string, build: (x: ExperimentBuilder) => void): Experiment {
  const stages: StageInstance[] = [];
  const sources: DataSource[] = [];
  const builder: ExperimentBuilder = {
    stage(stage, options) {
      const id = options.id ?? stage.id;
      const outputs = Object.fromEntries(
        Object.entries(stage.outputs).map(([output, spec]) => [
          output,
          { kind: spec.kind, source: { type: 'output', experiment: name, stage: id, output } } satisfies Artifact,
        ]),
      );
      const instance = {
        id,
        stage: stage as unknown as StageDefinition,
        params: options.params,
        inputs: { ...(options.inputs as Record<string, Artifact>) },
        outputs,
        site: captureCallSite(),
        tolerance: options.tolerance === undefined ? undefined : { ...options.tolerance },
        deterministic: options.deterministic === true,
        resources: options.resources === undefined ? undefined : { ...options.resources },
      } as StageInstance<never>;
      stages.push(instance);
      return instance as never;
    },
    data(path: string, kind: ArtifactKind = 'dir') {
      sources.push({ path, kind, site: captureCallSite() });
      return { kind, source: { type: 'data', path } } as never;
    },
  };
  let buildError: unknown;
  try {
    build(builder);
  } catch (error) {
    buildError = error;
  }
  return { name, stages, sources, site: captureCallSite(), buildError };
}
