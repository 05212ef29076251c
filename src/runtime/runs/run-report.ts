/**
 * `repro report <run>`: one run's HTML report under `reports/run-<run>/`, read at the run's revision
 * without checking it out — params, metrics, every plot, the sample grids straight from the DVC cache
 * (written next to the page), the stage timings of this machine's run record (when this machine made the
 * run), and each experiment's environment pin (when the run recorded one). It also decides which stages
 * the run was of, and which of them are its training, the results of it and the data stages before it
 * (params.yaml holds every experiment's params; dvc.lock keeps entries of stages run long before), so
 * the page can lead with results and fold the rest away.
 */
import sharp from 'sharp';
import { parse as parseYaml } from 'yaml';
import { ReproError } from '../../errors.js';
import { LOCK_FILE, PIPELINE_FILE } from '../compile/paths.js';
import { runGit } from '../dvc.js';
import { dvcCacheDir } from './dvc-cache.js';
import { listGridImages, readGridImages } from './grid-images.js';
import { openReportFolder } from './report/folder.js';
import { imageFileName, runReportDir } from './report/paths.js';
import { renderRunPage } from './report/run-page.js';
import { resolveRevision } from './revisions.js';
import { readTextAt, type Revision } from './revisions.js';
import { findRunRecord, lockHash, readRunRecords, type RunRecord } from './run-record.js';
import { readRunSnapshot, type RunSnapshot } from './run-snapshot.js';
import type { RunGrid, RunReport, RunStage, RunTimings, StagesSource } from './run-report-data.js';

/** Builds (and, unless `write` is false, writes) the report of run `name`. */
export async function reportRun(root: string, name: string, options: { write?: boolean } = {}): Promise<RunReport> {
  const run = await resolveRevision(root, name);
  const snapshot = await readRunSnapshot(root, run);
  if (snapshot.lockText === undefined && Object.keys(snapshot.params).length === 0) {
    throw new ReproError('RUN_NOT_FOUND', `run '${name}' expected to hold a pipeline run (${LOCK_FILE} or params.yaml), received neither at ${run.rev?.slice(0, 7) ?? 'the workspace'}`, {
      hint: 'run `repro runs` to list the runs',
    });
  }
  const context = { cacheDir: await dvcCacheDir(root), revision: run };
  const cached = await listGridImages(context, snapshot);
  const bytes = await readGridImages(context, cached);
  const reportFolder = options.write === false ? undefined : await openReportFolder(root, runReportDir(name));
  const grids: RunGrid[] = [];
  for (const grid of cached) {
    const data = bytes.get(grid.path)!;
    const meta = await sharp(data).metadata();
    const image = reportFolder ? imageFileName(grid.path) : null;
    if (reportFolder && image) await reportFolder.write(image, data);
    const folder = (snapshot.outputs[grid.stage] ?? []).find((o) => grid.path.startsWith(`${o.path}/`))?.path ?? null;
    grids.push({ path: grid.path, stage: grid.stage, folder, width: meta.width ?? 0, height: meta.height ?? 0, image });
  }
  const record = findRunRecord(await readRunRecords(root), { rev: run.rev, experimentName: run.experiment, lock: lockHash(snapshot.lockText) });
  const { stages, from } = await stagesOfRun(root, run, snapshot, record, grids);
  const timings: RunTimings | null = record
    ? {
        finishedAt: record.finishedAt,
        stages: (record.stages ?? []).map((s) => ({ stage: s.stage, seconds: typeof s.seconds === 'number' ? s.seconds : null })),
        notExecuted: stages.map((s) => s.name).filter((s) => !(record.stages ?? []).some((r) => r.stage === s)),
        totalSeconds: Math.round((record.stages ?? []).reduce((sum, s) => sum + (s.seconds ?? 0), 0) * 1000) / 1000,
      }
    : null;
  const created = run.rev ? (await runGit(root, ['show', '-s', '--format=%cI', run.rev])).stdout.trim() || null : null;
  const report: RunReport = {
    run,
    created,
    experiments: [...new Set(stages.map((s) => s.name.split('_')[0]!))].sort(),
    stages,
    stagesFrom: from,
    params: snapshot.params,
    metrics: snapshot.metrics,
    plots: snapshot.plots,
    grids,
    timings,
    environments: snapshot.environments,
    report: reportFolder ? `${runReportDir(name)}/index.html` : null,
  };
  if (reportFolder) await reportFolder.write('index.html', renderRunPage(report));
  return report;
}

/** A stage as dvc.yaml declares it: what it reads and writes. */
interface PipelineStage {
  readonly deps?: readonly string[];
  readonly outs?: readonly (string | Record<string, unknown>)[];
}

/**
 * The stages the run was of, in pipeline order, each with its role. Seeds come from the best witness
 * there is — this machine's record of the run (the stages it targeted), else the stages whose dvc.lock
 * entries changed since the revision before the run, else every stage dvc.lock has — and every stage
 * upstream of a seed joins them (DVC runs or restores those too, and their params shape the results).
 */
async function stagesOfRun(
  root: string,
  run: Revision,
  snapshot: RunSnapshot,
  record: RunRecord | undefined,
  grids: readonly RunGrid[],
): Promise<{ stages: RunStage[]; from: StagesSource }> {
  const pipeline = stagesOf(await readTextAt(root, run, PIPELINE_FILE)) as Record<string, PipelineStage>;
  const { seeds, from } = await seedStages(root, run, snapshot, record);
  const upstream = upstreamOf(pipeline);
  const ofRun = closure(seeds, upstream);
  const order = Object.keys(pipeline);
  const names = [...order.filter((s) => ofRun.has(s)), ...[...ofRun].filter((s) => !order.includes(s)).sort()];
  const training = new Set(grids.filter((g) => g.folder !== null && ofRun.has(g.stage)).map((g) => g.stage));
  const downstream = new Map<string, string[]>();
  for (const [stage, feeders] of upstream) for (const feeder of feeders) downstream.set(feeder, [...(downstream.get(feeder) ?? []), stage]);
  const fed = closure(training, downstream);
  const role = (name: string): RunStage['role'] => (training.has(name) ? 'training' : training.size === 0 || fed.has(name) ? 'result' : 'data');
  return { stages: names.map((name) => ({ name, role: role(name) })), from };
}

async function seedStages(root: string, run: Revision, snapshot: RunSnapshot, record: RunRecord | undefined): Promise<{ seeds: string[]; from: StagesSource }> {
  if (record?.targets?.length) return { seeds: [...record.targets], from: 'record' };
  const before = await revisionBefore(root, run);
  const current = stagesOf(snapshot.lockText);
  if (before) {
    const previous = stagesOf(await readTextAt(root, before, LOCK_FILE));
    const changed = Object.keys(current).filter((stage) => JSON.stringify(current[stage]) !== JSON.stringify(previous[stage]));
    if (changed.length > 0) return { seeds: changed, from: 'lock-change' };
  }
  return { seeds: Object.keys(current), from: 'lock' };
}

/** Stage → the stages whose outputs it reads (a dep at, inside or above one of their outs). */
function upstreamOf(pipeline: Readonly<Record<string, PipelineStage>>): Map<string, string[]> {
  const outs = Object.entries(pipeline).flatMap(([stage, s]) => (s.outs ?? []).map((o) => ({ stage, path: typeof o === 'string' ? o : (Object.keys(o)[0] ?? '') })));
  const nested = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
  return new Map(
    Object.entries(pipeline).map(([stage, s]) => [stage, [...new Set((s.deps ?? []).flatMap((d) => outs.filter((o) => o.stage !== stage && nested(d, o.path)).map((o) => o.stage)))]]),
  );
}

/** `seeds` and everything reachable from them along `edges`. */
function closure(seeds: Iterable<string>, edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const todo = [...seeds];
  while (todo.length > 0) {
    const stage = todo.pop()!;
    if (seen.has(stage)) continue;
    seen.add(stage);
    todo.push(...(edges.get(stage) ?? []));
  }
  return seen;
}

/** The commit the run started from: an experiment's baseline, a commit's parent, the workspace's HEAD. */
async function revisionBefore(root: string, run: Revision): Promise<Revision | undefined> {
  const spec = run.baseline ?? (run.rev ? `${run.rev}^` : 'HEAD');
  const out = await runGit(root, ['rev-parse', '--verify', '--quiet', `${spec}^{commit}`], { reject: false });
  const rev = out.exitCode === 0 ? out.stdout.trim() : '';
  return rev ? { label: rev.slice(0, 7), kind: 'commit', rev, experiment: null, baseline: null } : undefined;
}

/** The `stages` map of a dvc.yaml or dvc.lock text, in its order; empty when there is none. */
function stagesOf(yamlText: string | undefined): Record<string, unknown> {
  const parsed = (parseYaml(yamlText ?? '') ?? {}) as { stages?: Record<string, unknown> };
  return parsed.stages ?? {};
}
