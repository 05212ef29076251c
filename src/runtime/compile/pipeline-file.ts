/**
 * Which compiled stages dvc.yaml lists. Every experiment is compiled (validated, fingerprinted, resolved
 * under `.repro/stages/`), but dvc.yaml holds only the stages that have a result — an entry in dvc.lock —
 * plus the stages the current `repro run` (or `repro compile <experiment>`) is about to run. A stage in
 * dvc.yaml without a lock entry is what breaks plain DVC and sharing: `dvc checkout` and `dvc exp apply`
 * exit 255 on its outputs ("No file hash info found"), and `dvc repro` fails on data that is not here. So
 * an experiment that never ran, with or without its data, stays visible to `repro` (`repro status`,
 * `repro dag`, `repro run <name>`) and out of DVC's way until it runs. Cheap: reads dvc.lock and the
 * resolved stage files, never an experiment.
 */
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ReproError } from '../../errors.js';
import { readTextIfExists, writeIfChanged } from '../../kit/fs-atomic.js';
import type { PipelineSummary } from './compile-stamp.js';
import { LOCK_FILE, PIPELINE_FILE } from './paths.js';
import { renderPipeline } from './render.js';
import { readResolvedStage, type ResolvedStage } from './resolved-stage.js';

export interface PipelineSelection {
  /** DVC stage names dvc.yaml lists, in pipeline order */
  readonly listed: readonly string[];
  /** compiled stages left out: no result yet and not being run */
  readonly deferred: readonly string[];
  /** whether dvc.yaml's bytes changed */
  readonly written: boolean;
}

/** Writes dvc.yaml with the recorded stages plus `include` (DVC stage names). */
export async function writePipelineFile(root: string, summary: PipelineSummary, include: readonly string[]): Promise<PipelineSelection> {
  const recorded = await readRecordedStages(root);
  const wanted = new Set(include);
  const listed = summary.stages.map((s) => s.name).filter((name) => recorded.has(name) || wanted.has(name));
  const stages: ResolvedStage[] = [];
  for (const name of listed) {
    const stage = await readResolvedStage(root, name);
    if (!stage) {
      throw new ReproError('EXPERIMENT_INVALID', `compiled stage '${name}' expected in .repro/stages/, received no file`, { hint: 'run `repro compile --force`' });
    }
    stages.push(stage);
  }
  const sources = Object.values(summary.experiments).map((e) => e.file).sort();
  const deferred = summary.stages.map((s) => s.name).filter((name) => !listed.includes(name));
  const written = await writeIfChanged(join(root, PIPELINE_FILE), renderPipeline(stages, sources, deferred.length));
  return { listed, deferred, written };
}

/** The stage names dvc.lock has an entry for (DVC writes one when a stage has run). */
export async function readRecordedStages(root: string): Promise<Set<string>> {
  const text = await readTextIfExists(join(root, LOCK_FILE));
  if (!text) return new Set();
  const lock = parseYaml(text) as { stages?: Record<string, unknown> } | null;
  return new Set(Object.keys(lock?.stages ?? {}));
}

/** The DVC stage names `experiments` need, from the compile summary. */
export function stagesOfExperiments(summary: PipelineSummary, experiments: readonly string[]): string[] {
  return [...new Set(experiments.flatMap((name) => summary.experiments[name]?.stages ?? []))].sort();
}
