/**
 * Experiments → the compiled graph: one `CompiledStage` per distinct DVC stage, with resolved paths,
 * params and upstream edges. Identical stage instances in two experiments (same stage definition, same
 * params, same resolved inputs — and so the same code) collapse into one DVC stage owned by the
 * experiment whose name sorts first; the other keeps an alias. Pure and deterministic.
 *
 *   data/raw ──► demo_resize ──► demo_stats          stages are visited in topological order,
 *          └───► demo_count ──┘                      ties broken by name, experiments by name
 */
import { relative } from 'node:path';
import type { Artifact } from '../../dsl/artifact.js';
import type { Experiment, StageInstance } from '../../dsl/experiment.js';
import { plotName, type StageDefinition } from '../../dsl/stage.js';
import { EXACT, resolveTolerance, type Tolerance } from '../../dsl/tolerance.js';
import { resolveResources, SMALL, type Resources } from '../../dsl/resources.js';
import { canonicalJson } from '../../kit/canonical-json.js';
import {
  dvcStageName, fingerprintPath, metricsPath, outputPath, paramsKey, plotPath, stageCommand,
} from './paths.js';

/** Where one DVC stage reads and writes, and how DVC runs it: shared by the graph and the resolved stage files. */
export interface StageWiring {
  /** DVC stage name `<experiment>_<id>` of the owning instance */
  readonly name: string;
  readonly experiment: string;
  readonly id: string;
  /** `<experiment>/<id>` of every other instance compiled into this stage */
  readonly aliases: readonly string[];
  /** input name → project-relative path */
  readonly inputs: Readonly<Record<string, string>>;
  /** output name → project-relative path */
  readonly outputs: Readonly<Record<string, string>>;
  /** metrics name → reports file */
  readonly metrics: Readonly<Record<string, string>>;
  /** plot name → reports file */
  readonly plots: Readonly<Record<string, string>>;
  /** reports file → axes, for plots declared with them */
  readonly plotAxes: Readonly<Record<string, { readonly x: string; readonly y: readonly string[]; readonly title?: string | undefined }>>;
  /** names of the stages whose outputs this one reads, sorted */
  readonly upstream: readonly string[];
  readonly fingerprintFile: string;
  readonly cmd: string;
  /** what `repro verify --recompute` accepts: the stage's tolerance with the experiment's override applied */
  readonly tolerance: Tolerance;
  /** `repro exec` runs the stage in TensorFlow's deterministic mode; its fingerprint's backend says so */
  readonly deterministic: boolean;
  /** what the scheduler reserves for it: the stage's resources with the experiment's override applied */
  readonly resources: Resources;
}

/** One DVC stage. */
export interface CompiledStage extends StageWiring {
  readonly stage: StageDefinition;
  /** validated params with defaults */
  readonly params: Record<string, unknown>;
  /** key in params.yaml */
  readonly paramsKey: string;
}

/** The compiled pipeline as plain data. */
export interface CompiledGraph {
  /** every DVC stage in topological order, ties broken by name */
  readonly stages: readonly CompiledStage[];
  /** `<experiment>/<id>` → the DVC stage name that runs it */
  readonly instances: ReadonlyMap<string, string>;
  /** experiment name → the DVC stage names it needs, sorted */
  readonly experiments: ReadonlyMap<string, readonly string[]>;
}

/** Builds the graph. `params` holds validated params per experiment and instance id. */
export function buildGraph(
  experiments: readonly Experiment[],
  params: ReadonlyMap<string, ReadonlyMap<string, Record<string, unknown>>>,
  root: string,
): CompiledGraph {
  const stages = new Map<string, CompiledStage>();
  const byKey = new Map<string, string>();
  const instances = new Map<string, string>();
  const perExperiment = new Map<string, string[]>();
  for (const experiment of [...experiments].sort((a, b) => a.name.localeCompare(b.name))) {
    const names: string[] = [];
    for (const instance of topologicalOrder(experiment)) {
      const compiled = compileInstance(experiment, instance, params, instances, root);
      const key = dedupeKey(compiled, root);
      const existing = byKey.get(key);
      if (existing) {
        const owner = stages.get(existing)!;
        stages.set(existing, { ...owner, aliases: [...owner.aliases, `${experiment.name}/${instance.id}`] });
        instances.set(`${experiment.name}/${instance.id}`, existing);
        names.push(existing);
        continue;
      }
      byKey.set(key, compiled.name);
      stages.set(compiled.name, compiled);
      instances.set(`${experiment.name}/${instance.id}`, compiled.name);
      names.push(compiled.name);
    }
    perExperiment.set(experiment.name, [...new Set(names)].sort());
  }
  return { stages: orderStages([...stages.values()]), instances, experiments: perExperiment };
}

function compileInstance(
  experiment: Experiment,
  instance: StageInstance,
  params: ReadonlyMap<string, ReadonlyMap<string, Record<string, unknown>>>,
  instances: ReadonlyMap<string, string>,
  root: string,
): CompiledStage {
  const name = dvcStageName(experiment.name, instance.id);
  const inputs: Record<string, string> = {};
  const upstream = new Set<string>();
  for (const [input, artifact] of Object.entries(instance.inputs)) {
    const resolved = resolveArtifact(artifact, experiment, instances);
    inputs[input] = resolved.path;
    if (resolved.producer) upstream.add(resolved.producer);
  }
  const outputs = Object.fromEntries(
    Object.entries(instance.stage.outputs).map(([output, spec]) => [
      output,
      outputPath(experiment.name, instance.id, output, spec.kind === 'file' ? spec.fileName : undefined),
    ]),
  );
  const metrics = Object.fromEntries((instance.stage.metrics ?? []).map((m) => [m, metricsPath(experiment.name, instance.id, m)]));
  const plots = Object.fromEntries((instance.stage.plots ?? []).map((p) => [plotName(p), plotPath(experiment.name, instance.id, plotName(p))]));
  const plotAxes = Object.fromEntries(
    (instance.stage.plots ?? []).flatMap((p) => (typeof p === 'string' ? [] : [[plotPath(experiment.name, instance.id, p.name), { x: p.x, y: p.y, title: p.title }]])),
  );
  return {
    name,
    experiment: experiment.name,
    id: instance.id,
    aliases: [],
    stage: instance.stage,
    params: params.get(experiment.name)?.get(instance.id) ?? {},
    paramsKey: paramsKey(experiment.name, instance.id),
    inputs,
    outputs,
    metrics,
    plots,
    plotAxes,
    upstream: [...upstream].sort(),
    fingerprintFile: fingerprintPath(name),
    cmd: stageCommand(experiment.name, instance.id),
    tolerance: resolveTolerance(EXACT, instance.stage.tolerance, instance.tolerance),
    deterministic: instance.deterministic,
    resources: resolveResources(SMALL, instance.stage.resources, instance.resources),
  };
}

function resolveArtifact(
  artifact: Artifact,
  experiment: Experiment,
  instances: ReadonlyMap<string, string>,
): { path: string; producer?: string } {
  const { source } = artifact;
  if (source.type === 'data') return { path: source.path.replace(/\\/g, '/').replace(/\/+$/, '') };
  const producerName = instances.get(`${source.experiment}/${source.stage}`) ?? dvcStageName(source.experiment, source.stage);
  const producer = experiment.stages.find((s) => s.id === source.stage);
  const spec = producer?.stage.outputs[source.output];
  // A deduplicated producer lives under its owner's folder: read the owner's path, not our own.
  // Stage names are `<experiment>_<id>` and neither part may contain '_', so the split is exact.
  const [owner = source.experiment, ownerId = source.stage] = producerName.split('_');
  return {
    path: outputPath(owner, ownerId, source.output, spec?.kind === 'file' ? spec.fileName : undefined),
    producer: producerName,
  };
}

/**
 * Two instances are the same DVC stage when code, params, resolved inputs and the switches that change a
 * TensorFlow stage's numbers (deterministic mode, the cores its thread pools are sized to) are all equal.
 */
function dedupeKey(stage: CompiledStage, root: string): string {
  const module = stage.stage.module ? relative(root, stage.stage.module) : '?';
  return canonicalJson({ module, id: stage.stage.id, params: stage.params, inputs: stage.inputs, deterministic: stage.deterministic, cpus: stage.resources.cpus });
}

/** Instances of one experiment, producers first, ties by id. */
function topologicalOrder(experiment: Experiment): StageInstance[] {
  const byId = new Map(experiment.stages.map((s) => [s.id, s]));
  const done = new Set<string>();
  const order: StageInstance[] = [];
  const visit = (instance: StageInstance): void => {
    if (done.has(instance.id)) return;
    done.add(instance.id);
    const producers = Object.values(instance.inputs)
      .flatMap((a) => (a.source.type === 'output' ? [a.source.stage] : []))
      .sort();
    for (const id of producers) {
      const producer = byId.get(id);
      if (producer) visit(producer);
    }
    order.push(instance);
  };
  for (const id of [...byId.keys()].sort()) visit(byId.get(id)!);
  return order;
}

/** Global order for dvc.yaml: Kahn's algorithm, always taking the smallest ready name. */
function orderStages(stages: CompiledStage[]): CompiledStage[] {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const waiting = new Map(stages.map((s) => [s.name, s.upstream.filter((u) => byName.has(u)).length]));
  const ordered: CompiledStage[] = [];
  while (waiting.size > 0) {
    const ready = [...waiting].filter(([, n]) => n === 0).map(([name]) => name).sort();
    if (ready.length === 0) throw new Error('cycle in the compiled graph; validateExperiments should have caught it');
    const next = ready[0]!;
    waiting.delete(next);
    ordered.push(byName.get(next)!);
    for (const stage of stages) {
      if (waiting.has(stage.name) && stage.upstream.includes(next)) waiting.set(stage.name, waiting.get(stage.name)! - 1);
    }
  }
  return ordered;
}
