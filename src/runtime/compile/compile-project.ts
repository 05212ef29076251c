/**
 * `repro compile` end to end: load every experiment, type-check them, resolve params schemas, validate
 * (all issues at once), compile, write the code fingerprints and the resolved stages (`.repro/stages/`),
 * params.yaml for every experiment, and dvc.yaml with the stages that have a result plus those asked for
 * (pipeline-file.ts), each file only when its bytes change. A params.yaml that someone edited by hand is never
 * overwritten silently. Data paths that are not in the workspace do not stop the compile — an experiment
 * whose data has not arrived must not block the others — but are recorded per experiment, reported, and
 * make `repro run` refuse that experiment. Each success is recorded in the compile stamp.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveStageSchemas } from '../../dsl/params-schema.js';
import { locate, validateExperiments } from '../../dsl/validate.js';
import { ReproError, type ErrorCode, type Issue } from '../../errors.js';
import { compilePipeline, EXPERIMENTS_DIR, isGeneratedParams, PARAMS_FILE, PIPELINE_FILE, type CompiledGraph } from './index.js';
import { writeCompileStamp, type PipelineSummary } from './compile-stamp.js';
import { writeFingerprints } from './write-fingerprints.js';
import { stagesOfExperiments, writePipelineFile, type PipelineSelection } from './pipeline-file.js';
import { resolvedStagePath, writeResolvedStages } from './resolved-stage.js';
import { readTextIfExists, writeIfChanged } from '../../kit/fs-atomic.js';
import { loadExperiments, type LoadedExperiment } from './load-experiments.js';
import { describeBackend, detectBackendKind } from '../../kit/tf-backend.js';
import { typecheckExperiments } from './typecheck.js';

export interface CompileOptions {
  /** overwrite a hand-edited params.yaml @default false */
  readonly force?: boolean;
  /** run the TypeScript checker (cached) @default true */
  readonly typecheck?: boolean;
  /** tensor backend override recorded in fingerprints @default detected */
  readonly backend?: string | undefined;
  /** experiments whose stages dvc.yaml lists even before they have a result (they are about to run) @default none */
  readonly include?: readonly string[] | undefined;
  /** write dvc.yaml; `repro run` and `repro status` write it themselves, once, with the stages they target @default true */
  readonly writePipeline?: boolean;
}

export interface CompileResult {
  readonly graph: CompiledGraph;
  readonly summary: PipelineSummary;
  readonly experiments: readonly LoadedExperiment[];
  /** the backend as `describeBackend` puts it, recorded in TensorFlow stages' fingerprints */
  readonly backend: string;
  /** project-relative files this compile changed on disk */
  readonly written: readonly string[];
  /** which compiled stages dvc.yaml lists and which wait for a first run; null when not written */
  readonly selection: PipelineSelection | null;
}

/** Compiles every experiment in the project and writes the generated files. */
export async function compileProject(root: string, options: CompileOptions = {}): Promise<CompileResult> {
  const loaded = await loadExperiments(root);
  const files = loaded.map((l) => l.file);
  const inputs = options.typecheck === false ? files : Object.keys(await typecheckExperiments(root, files));
  const experiments = loaded.map((l) => l.experiment);
  const schemas = await resolveStageSchemas(experiments);
  const validation = validateExperiments(experiments, { root, schemas });
  if (validation.issues.length > 0) throw invalid(validation.issues);
  const missingData = findMissingData(root, loaded);
  const compiled = compilePipeline(experiments, validation.params, { root, sources: files });
  const backend = describeBackend(detectBackendKind({ override: options.backend }));
  const { changed: written, entries } = await writeFingerprints(root, compiled.graph, backend);
  written.push(...(await writeResolvedStages(root, compiled.graph, entries)));
  await guardParamsEdits(root, compiled.params, options.force ?? false);
  if (await writeIfChanged(join(root, PARAMS_FILE), compiled.params)) written.push(PARAMS_FILE);
  const summary = summarize(compiled.graph, loaded, backend, missingData);
  const unknown = (options.include ?? []).find((name) => !(name in summary.experiments));
  if (unknown !== undefined) {
    throw new ReproError('EXPERIMENT_NOT_FOUND', `experiment '${unknown}' expected in experiments/ (one of ${Object.keys(summary.experiments).map((n) => `'${n}'`).join(', ')}), received no such experiment`, { hint: 'run `repro dag` to list experiments' });
  }
  const selection = options.writePipeline === false ? null : await writePipelineFile(root, summary, stagesOfExperiments(summary, options.include ?? []));
  if (selection?.written) written.push(PIPELINE_FILE);
  const dataPaths = experiments.flatMap((e) => e.sources.map((s) => s.path));
  // NOTE: dvc.yaml is not in the stamp: which stages it lists follows dvc.lock, and is rewritten cheaply each time.
  const outputs = [PARAMS_FILE, ...compiled.graph.stages.flatMap((s) => [s.fingerprintFile, resolvedStagePath(s.name)])];
  await writeCompileStamp(root, summary, [EXPERIMENTS_DIR, ...inputs, ...dataPaths, ...outputs]);
  return { graph: compiled.graph, summary, experiments: loaded, backend, written, selection };
}

function summarize(graph: CompiledGraph, loaded: readonly LoadedExperiment[], backend: string, missingData: ReadonlyMap<string, Issue[]>): PipelineSummary {
  return {
    backend,
    experiments: Object.fromEntries(
      loaded.map(({ experiment, file }) => {
        const missing = missingData.get(experiment.name) ?? [];
        return [experiment.name, { file, stages: graph.experiments.get(experiment.name) ?? [], ...(missing.length > 0 ? { missingData: missing } : {}) }];
      }),
    ),
    stages: graph.stages.map((s) => ({ name: s.name, upstream: s.upstream, fingerprintFile: s.fingerprintFile })),
  };
}

/** Per experiment, data paths neither in the workspace nor DVC-tracked (`<path>.dvc` present). */
function findMissingData(root: string, loaded: readonly LoadedExperiment[]): Map<string, Issue[]> {
  const missing = new Map<string, Issue[]>();
  for (const { experiment, file } of loaded) {
    const issues: Issue[] = [];
    for (const source of experiment.sources) {
      if (existsSync(join(root, source.path)) || existsSync(join(root, `${source.path}.dvc`))) continue;
      issues.push({
        code: 'DATA_MISSING',
        ...(source.site ? locate(source.site, root) : { file }),
        message: `data '${source.path}' expected a ${source.kind === 'dir' ? 'folder' : 'file'} in the project or a '${source.path}.dvc' file, received nothing at that path (try \`.venv/bin/dvc pull ${source.path}\` or \`.venv/bin/dvc add ${source.path}\`)`,
      });
    }
    if (issues.length > 0) missing.set(experiment.name, issues);
  }
  return missing;
}

function invalid(issues: readonly Issue[]): ReproError {
  const codes = new Set(issues.map((i) => i.code));
  const code: ErrorCode = codes.size === 1 ? issues[0]!.code : 'EXPERIMENT_INVALID';
  return new ReproError(code, `${issues.length} problem${issues.length > 1 ? 's' : ''} in experiments; nothing was written`, {
    issues,
    hint: 'fix the lines above, then run `repro compile`',
  });
}

async function guardParamsEdits(root: string, next: string, force: boolean): Promise<void> {
  const current = await readTextIfExists(join(root, PARAMS_FILE));
  if (force || current === undefined || current === next || isGeneratedParams(current)) return;
  throw new ReproError('PARAMS_EDITED', `${PARAMS_FILE} expected to hold what \`repro compile\` wrote, received a hand-edited file; compiling would overwrite the edit`, {
    hint: 'move the values into experiments/<name>.ts (or pass them as `repro run <name> -S <key>=<value>`), or run `repro compile --force` to discard the edit',
  });
}
