/**
 * The stages a run will visit, in DVC's order, with each one's upstream stages and resources. The order is
 * DVC's own — its `plan_repro` over the targets, asked through DVC's Python modules (dvc-session.ts; `dvc repro --dry`
 * would say the same, but fails while a dep is not there yet) — and committing finished stages in that
 * order makes `dvc.lock` byte-identical to a sequential `dvc repro`, which writes entries as it goes. Edges come from dvc.yaml: a stage depends on another when one of its deps is one of
 * the other's outputs, or lies inside or above it. Resources come from each stage's compiled
 * `.repro/stages/<stage>.json`.
 */
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SMALL, resolveResources, type Resources } from '../../dsl/resources.js';
import { readTextIfExists } from '../../kit/fs-atomic.js';
import { PIPELINE_FILE } from '../compile/paths.js';
import { resolvedStagePath } from '../compile/resolved-stage.js';
import type { DvcSession } from './dvc-session.js';

export interface PlannedStage {
  readonly name: string;
  /** the shell command dvc.yaml gives it */
  readonly cmd: string;
  /** stages of the plan whose outputs it reads */
  readonly upstream: readonly string[];
  readonly resources: Resources;
}

type PathList = readonly (string | Readonly<Record<string, unknown>>)[];
interface YamlStage { cmd?: string; deps?: PathList; outs?: PathList; metrics?: PathList; plots?: PathList }

/** The plan for `targets` (DVC stage names) of the project at `root`, DVC's order asked of `dvc`. */
export async function planStages(root: string, targets: readonly string[], dvc: DvcSession): Promise<PlannedStage[]> {
  const order = (await dvc.planRepro(targets)).map((address) => address.replace(/^dvc\.yaml:/, ''));
  const pipeline = (parseYaml((await readTextIfExists(join(root, PIPELINE_FILE))) ?? '') ?? {}) as { stages?: Record<string, YamlStage> };
  const stages = pipeline.stages ?? {};
  const names = order.filter((name) => stages[name] !== undefined);
  const outsOf = new Map(names.map((name) => [name, paths([...(stages[name]!.outs ?? []), ...(stages[name]!.metrics ?? []), ...(stages[name]!.plots ?? [])])]));
  const plan: PlannedStage[] = [];
  for (const name of names) {
    const deps = paths(stages[name]!.deps ?? []);
    const upstream = names.filter((other) => other !== name && outsOf.get(other)!.some((out) => deps.some((dep) => overlaps(dep, out))));
    plan.push({ name, cmd: stages[name]!.cmd ?? '', upstream, resources: await recordedResources(root, name) });
  }
  return plan;
}

function paths(list: PathList): string[] {
  return list.flatMap((entry) => (typeof entry === 'string' ? [entry] : Object.keys(entry)));
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

async function recordedResources(root: string, stage: string): Promise<Resources> {
  const text = await readTextIfExists(join(root, resolvedStagePath(stage)));
  const recorded = text === undefined ? undefined : (JSON.parse(text) as { resources?: Partial<Resources> }).resources;
  return resolveResources(SMALL, recorded);
}
