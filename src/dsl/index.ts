/**
 * The public authoring API of repro — the only barrel in the project. Experiment files and stage modules
 * import from here: `defineStage`, `defineExperiment`, `dir`, `file`, the shared params definitions and
 * TypeBox's `Type` for params schemas. Light on purpose — TypeBox and plain data only, no validator — since
 * `repro exec` imports each stage module (and so this barrel) once per stage run.
 */
export { Type, type Static } from '@sinclair/typebox';
export { dir, file, optional, type Artifact, type ArtifactKind, type ArtifactSpec, type OptionalSpec } from './artifact.js';
export { defineStage, type RunContext, type StageDefinition, type StageResult, type StageLogger } from './stage.js';
export { defineExperiment, type Experiment, type ExperimentBuilder, type StageInstance } from './experiment.js';
export { ImageSize, NetworkSize, Noise, Seed } from './definitions.js';
export { Defaulted, type RunParams, type TDefaulted } from './defaulted.js';
export { GAN, SMALL, TENSORFLOW, checkResources, formatResources, resolveResources, type Resources, type ResourcesOverride } from './resources.js';
export { EXACT, FLOAT_KERNELS, resolveTolerance, isExact, type Tolerance, type ToleranceOverride } from './tolerance.js';
