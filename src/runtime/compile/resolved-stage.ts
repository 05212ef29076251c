/**
 * The compiled form of one DVC stage as plain JSON, written by the compile beside the code fingerprints
 * (`.repro/stages/<dvc stage>.json`, tracked like them) and read by everything after it: `repro exec`
 * (which stage module to import, its input and output paths, its params key) and the writer of dvc.yaml.
 * Exec therefore never loads or validates an experiment to find its stage, and dvc.yaml can be rewritten
 * from these files alone. Paths are project-relative, keys sorted, no timestamps.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ReproError } from '../../errors.js';
import { formatJson } from '../../kit/canonical-json.js';
import { readTextIfExists, writeIfChanged } from '../../kit/fs-atomic.js';
import type { CompiledGraph, CompiledStage, StageWiring } from './graph.js';
import { dvcStageName, STAGES_DIR } from './paths.js';

/** One DVC stage, resolved. */
export interface ResolvedStage extends StageWiring {
  /** id of the stage definition (`filter` for an instance `filter-real`) */
  readonly stage: string;
  /** the stage definition as `<module>#<export>`, e.g. `src/stages/warp.ts#warp` */
  readonly entry: string;
  /** key in params.yaml; null for a stage without params */
  readonly paramsKey: string | null;
  /** output name → whether `run` writes a file or a folder there */
  readonly outputKinds: Readonly<Record<string, 'file' | 'dir'>>;
}

/** `.repro/stages/demo_warp.json` */
export function resolvedStagePath(stageName: string): string {
  return `${STAGES_DIR}/${stageName}.json`;
}

/** The plain form of a compiled stage; `entry` comes from its fingerprint. */
export function toResolvedStage(stage: CompiledStage, entry: string): ResolvedStage {
  return {
    name: stage.name,
    experiment: stage.experiment,
    id: stage.id,
    stage: stage.stage.id,
    aliases: stage.aliases,
    entry,
    paramsKey: Object.keys(stage.params).length > 0 ? stage.paramsKey : null,
    inputs: stage.inputs,
    outputs: stage.outputs,
    outputKinds: Object.fromEntries(Object.keys(stage.outputs).map((name) => [name, stage.stage.outputs[name]?.kind ?? 'file'])),
    metrics: stage.metrics,
    plots: stage.plots,
    plotAxes: stage.plotAxes,
    upstream: stage.upstream,
    fingerprintFile: stage.fingerprintFile,
    cmd: stage.cmd,
    tolerance: stage.tolerance,
    deterministic: stage.deterministic,
    resources: stage.resources,
  };
}

/** Writes every stage of `graph` (entries by stage name) and removes files of stages that no longer exist. */
export async function writeResolvedStages(root: string, graph: CompiledGraph, entries: ReadonlyMap<string, string>): Promise<string[]> {
  const written: string[] = [];
  for (const stage of graph.stages) {
    const path = resolvedStagePath(stage.name);
    const text = formatJson(toResolvedStage(stage, entries.get(stage.name) ?? ''));
    if (await writeIfChanged(join(root, path), text)) written.push(path);
  }
  const keep = new Set(graph.stages.map((s) => `${s.name}.json`));
  for (const entry of await readdir(join(root, STAGES_DIR)).catch(() => [] as string[])) {
    if (entry.endsWith('.json') && !keep.has(entry)) await rm(join(root, STAGES_DIR, entry), { force: true });
  }
  return written;
}

/** Reads one resolved stage by its DVC name; undefined when the compile wrote none. */
export async function readResolvedStage(root: string, stageName: string): Promise<ResolvedStage | undefined> {
  const text = await readTextIfExists(join(root, resolvedStagePath(stageName)));
  return text === undefined ? undefined : (JSON.parse(text) as ResolvedStage);
}

/**
 * The stage that runs instance `<experiment>/<id>`: its own file, or, for an instance compiled into
 * another experiment's identical stage, the file that lists it among its aliases.
 */
export async function findResolvedStage(root: string, experiment: string, id: string): Promise<ResolvedStage> {
  const own = await readResolvedStage(root, dvcStageName(experiment, id));
  if (own) return own;
  const files = (await readdir(join(root, STAGES_DIR)).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const stage = await readResolvedStage(root, file.slice(0, -'.json'.length));
    if (stage?.aliases.includes(`${experiment}/${id}`)) return stage;
  }
  const names = files.map((f) => f.slice(0, -'.json'.length));
  const experiments = [...new Set(names.map((n) => n.split('_')[0]!))];
  if (!experiments.includes(experiment)) {
    throw new ReproError('EXPERIMENT_NOT_FOUND', `experiment '${experiment}' expected among the compiled experiments (${experiments.map((n) => `'${n}'`).join(', ') || 'none'}), received no such experiment`, {
      hint: 'run `repro compile` (it compiles every file in experiments/), then `repro dag` to list experiments and stages',
    });
  }
  const known = names.filter((n) => n.startsWith(`${experiment}_`)).map((n) => `'${n.slice(experiment.length + 1)}'`);
  throw new ReproError('STAGE_NOT_FOUND', `stage '${id}' expected in experiment '${experiment}' (one of ${known.join(', ')}), received no such stage`, {
    hint: `run \`repro dag ${experiment}\` to list its stages, or \`repro compile\` if you just added it`,
  });
}
