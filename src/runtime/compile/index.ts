/**
 * The compiler: validated experiments → `{ graph, pipeline, params }`, where `pipeline` and `params` are
 * the exact bytes of dvc.yaml and params.yaml. Pure and deterministic — the same experiments give the
 * same bytes — so a second compile is a no-op on disk. Reading experiments and writing files is
 * `runtime/compile-project.ts`'s job.
 */
import type { Experiment } from '../../dsl/experiment.js';
import { buildGraph, type CompiledGraph } from './graph.js';
import { renderParams, renderPipeline } from './render.js';

export interface CompiledPipeline {
  readonly graph: CompiledGraph;
  /** dvc.yaml bytes */
  readonly pipeline: string;
  /** params.yaml bytes */
  readonly params: string;
}

/** Compiles experiments that already passed `validateExperiments`. */
export function compilePipeline(
  experiments: readonly Experiment[],
  params: ReadonlyMap<string, ReadonlyMap<string, Record<string, unknown>>>,
  options: { root: string; sources: readonly string[] },
): CompiledPipeline {
  const graph = buildGraph(experiments, params, options.root);
  return {
    graph,
    pipeline: renderPipeline(graph.stages.map((s) => ({ ...s, paramsKey: Object.keys(s.params).length > 0 ? s.paramsKey : null })), options.sources),
    params: renderParams(graph, options.sources),
  };
}

export type { CompiledGraph, CompiledStage } from './graph.js';
export { isGeneratedParams, restampParams } from './render.js';
export * from './paths.js';
