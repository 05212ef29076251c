/**
 * Builds a run's pin manifest from its experiment commit alone (never from the workspace, which may have
 * moved on): the outputs of dvc.lock with their hashes and whether DVC caches them (dvc.yaml's `cache:
 * false`) and the data its `*.dvc` files track (the pipeline's inputs) — those of the run's experiments and
 * what they read, the rest listed as withheld unless `all` (share-scope.ts) — the md5 of each code
 * fingerprint those stages depended on (dvc.lock's deps under .repro/fp/), the seeds in params.yaml, the
 * experiments it ran (this machine's run record says; else all in the lock), and the environment pins from
 * those experiments' reports/<experiment>/environment.json — or, for a run made before repro wrote that file, from the
 * sharing machine, which the manifest then says.
 */
import { parse as parseYaml } from 'yaml';
import { ReproError } from '../../../errors.js';
import { FINGERPRINT_DIR, LOCK_FILE, PARAMS_FILE, PIPELINE_FILE } from '../../compile/paths.js';
import { runGit } from '../../dvc.js';
import { resolvedStagePath } from '../../compile/resolved-stage.js';
import { EXACT, resolveTolerance, type Tolerance } from '../../../dsl/tolerance.js';
import { collectEnvironmentPin, collectMachineVersions } from '../../environment/env-manifest.js';
import { describeBackend, detectBackendKind } from '../../../kit/tf-backend.js';
import { ENVIRONMENT_PIN_PATTERN, environmentPinPath, parseEnvironmentPin } from '../../environment/environment-file.js';
import { findRunRecord, lockHash, readRunRecords } from '../run-record.js';
import type { ExperimentRef } from '../revisions.js';
import { MANIFEST_FORMAT, type OutputPin, type RemotePin, type ShareManifest } from './manifest.js';
import { collectSeeds } from './seeds.js';
import { experimentOf, shareScope } from './share-scope.js';

interface LockEntry {
  path: string;
  md5?: string;
  size?: number;
  nfiles?: number;
}

type LockFile = { stages?: Record<string, { deps?: LockEntry[]; outs?: LockEntry[] }> };
type PipelineEntry = string | Record<string, { cache?: boolean } | null>;
type PipelineFile = { stages?: Record<string, Partial<Record<'outs' | 'metrics' | 'plots', PipelineEntry[]>>> };

/** The manifest of `run`, pushed to `remotes`. */
export async function buildManifest(root: string, run: ExperimentRef, remotes: { git: RemotePin; dvc: RemotePin }, options: { all?: boolean | undefined } = {}): Promise<ShareManifest> {
  const prefix = (await runGit(root, ['rev-parse', '--show-prefix'])).stdout.trim();
  const show = async (path: string): Promise<string | undefined> => {
    const shown = await runGit(root, ['show', `${run.rev}:${prefix}${path}`], { reject: false });
    return shown.exitCode === 0 ? shown.stdout : undefined;
  };
  const lockText = await show(LOCK_FILE);
  if (lockText === undefined) {
    throw new ReproError('RUN_NOT_FOUND', `run '${run.name}' expected a ${LOCK_FILE} in its commit ${run.rev.slice(0, 7)}, received none`, {
      hint: `run \`repro run -n ${run.name}\` to make a run with outputs`,
    });
  }
  const lock = (parseYaml(lockText) ?? {}) as LockFile;
  const uncached = uncachedPaths((parseYaml((await show(PIPELINE_FILE)) ?? '') ?? {}) as PipelineFile);
  const outputs: Record<string, OutputPin> = {};
  const fingerprints: Record<string, string> = {};
  for (const [stage, entry] of Object.entries(lock.stages ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const out of entry.outs ?? []) {
      if (out.md5) outputs[out.path] = { stage, md5: out.md5, size: out.size ?? null, nfiles: out.nfiles ?? null, cached: !uncached.has(out.path) };
    }
    for (const dep of entry.deps ?? []) {
      if (dep.path.startsWith(`${FINGERPRINT_DIR}/`) && dep.md5) fingerprints[dep.path] = dep.md5;
    }
  }
  Object.assign(outputs, await trackedData(root, run, prefix, show));
  const experiments = await runExperiments(root, run, lockText, Object.keys(lock.stages ?? {}));
  const { environment, environmentSource } = await runEnvironment(root, run, prefix, show, experiments);
  const { sent, withheld, stages } = shareScope(outputs, lock.stages ?? {}, experiments, options.all);
  return {
    format: MANIFEST_FORMAT,
    run: run.name,
    git: { commit: run.rev, baseline: run.baseline, ref: run.ref },
    remotes,
    outputs: sent,
    ...(Object.keys(withheld).length > 0 ? { withheld } : {}),
    fingerprints: Object.fromEntries(Object.entries(fingerprints).filter(([path]) => stages.has(stageOfFingerprint(path)))),
    seeds: collectSeeds(await show(PARAMS_FILE)),
    environment,
    environmentSource,
    experiments,
    tolerances: await stageTolerances(Object.keys(lock.stages ?? {}), show),
  };
}

/** `demo_warp` for `.repro/fp/demo_warp.json` */
function stageOfFingerprint(path: string): string {
  return path.slice(FINGERPRINT_DIR.length + 1).replace(/\.json$/, '');
}

/** The tolerance each stage of the lock compiled with, from its `.repro/stages/<stage>.json` in the run's commit. */
async function stageTolerances(stages: readonly string[], show: (path: string) => Promise<string | undefined>): Promise<Record<string, Tolerance>> {
  const tolerances: Record<string, Tolerance> = {};
  for (const stage of [...stages].sort()) {
    const text = await show(resolvedStagePath(stage));
    const recorded = text === undefined ? undefined : (JSON.parse(text) as { tolerance?: Tolerance }).tolerance;
    tolerances[stage] = resolveTolerance(EXACT, recorded);
  }
  return tolerances;
}

/**
 * The experiments this run ran: the targets of this machine's record of it, else every experiment with a
 * stage in its dvc.lock (which also holds the results of earlier runs of other experiments).
 */
async function runExperiments(root: string, run: ExperimentRef, lockText: string, lockStages: readonly string[]): Promise<string[]> {
  const record = findRunRecord(await readRunRecords(root), { rev: run.rev, experimentName: run.name, lock: lockHash(lockText) });
  const names = (record?.targets.length ? record.targets : lockStages).map(experimentOf);
  return [...new Set(names)].sort();
}

/**
 * The environment.json of the run's own experiments in its commit (the first by name that parses), never
 * another experiment's. A pin recorded before npm and CUDA were pinned gets them from the sharing machine,
 * as does a run with no pin file at all.
 */
async function runEnvironment(root: string, run: ExperimentRef, prefix: string, show: (path: string) => Promise<string | undefined>, experiments: readonly string[]) {
  const listed = await runGit(root, ['ls-tree', '-r', '--name-only', run.rev, '--', `${prefix}reports/`]);
  const own = new Set(experiments.map(environmentPinPath));
  const files = listed.stdout.split('\n').map((p) => p.slice(prefix.length)).filter((p) => ENVIRONMENT_PIN_PATTERN.test(p) && own.has(p)).sort();
  for (const file of files) {
    const environment = parseEnvironmentPin(await show(file), await collectMachineVersions(root));
    if (environment) return { environment, environmentSource: file };
  }
  return { environment: await collectEnvironmentPin(root, describeBackend(detectBackendKind())), environmentSource: 'sharing machine' };
}

/** The data `dvc add` tracks (`*.dvc` files in the run's commit): the run's inputs, pinned like outputs. */
async function trackedData(root: string, run: ExperimentRef, prefix: string, show: (path: string) => Promise<string | undefined>) {
  const listed = await runGit(root, ['ls-tree', '-r', '--name-only', run.rev, '--', prefix || '.']);
  const files = listed.stdout.split('\n').map((p) => p.slice(prefix.length)).filter((p) => p.endsWith('.dvc') && !p.startsWith('.dvc/')).sort();
  const outputs: Record<string, OutputPin> = {};
  for (const file of files) {
    const parsed = (parseYaml((await show(file)) ?? '') ?? {}) as { outs?: (LockEntry & { cache?: boolean })[] };
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    for (const out of parsed.outs ?? []) {
      if (out.md5) outputs[`${dir}${out.path}`] = { stage: file, md5: out.md5, size: out.size ?? null, nfiles: out.nfiles ?? null, cached: out.cache !== false };
    }
  }
  return outputs;
}

/** Outputs declared `cache: false` in dvc.yaml (metrics and plots that git carries). */
function uncachedPaths(pipeline: PipelineFile): Set<string> {
  const paths = new Set<string>();
  for (const stage of Object.values(pipeline.stages ?? {})) {
    for (const entry of [...(stage.outs ?? []), ...(stage.metrics ?? []), ...(stage.plots ?? [])]) {
      if (typeof entry === 'string') continue;
      for (const [path, flags] of Object.entries(entry)) if (flags?.cache === false) paths.add(path);
    }
  }
  return paths;
}
