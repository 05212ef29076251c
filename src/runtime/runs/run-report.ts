/**
 * `repro report <run>`: one run's HTML report under `reports/run-<run>/`, read at the run's revision
 * without checking it out — params, metrics, every plot, the sample grids straight from the DVC cache
 * (written next to the page), the stage timings of this machine's run record (when this machine made the
 * run), and each experiment's environment pin (when the run recorded one).
 */
import sharp from 'sharp';
import { ReproError } from '../../errors.js';
import { LOCK_FILE } from '../compile/paths.js';
import { runGit } from '../dvc.js';
import { dvcCacheDir } from './dvc-cache.js';
import { listGridImages, readGridImages } from './grid-images.js';
import { openReportFolder } from './report/folder.js';
import { imageFileName, runReportDir } from './report/paths.js';
import { renderRunPage } from './report/run-page.js';
import { resolveRevision } from './revisions.js';
import { findRunRecord, lockHash, readRunRecords } from './run-record.js';
import { readRunSnapshot } from './run-snapshot.js';
import type { RunGrid, RunReport, RunTimings } from './run-report-data.js';

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
  const folder = options.write === false ? undefined : await openReportFolder(root, runReportDir(name));
  const grids: RunGrid[] = [];
  for (const grid of cached) {
    const data = bytes.get(grid.path)!;
    const meta = await sharp(data).metadata();
    const image = folder ? imageFileName(grid.path) : null;
    if (folder && image) await folder.write(image, data);
    grids.push({ path: grid.path, stage: grid.stage, width: meta.width ?? 0, height: meta.height ?? 0, image });
  }
  const record = findRunRecord(await readRunRecords(root), { rev: run.rev, experimentName: run.experiment, lock: lockHash(snapshot.lockText) });
  const stagesOfRun = Object.keys(snapshot.outputs).sort();
  const timings: RunTimings | null = record
    ? {
        finishedAt: record.finishedAt,
        stages: (record.stages ?? []).map((s) => ({ stage: s.stage, seconds: typeof s.seconds === 'number' ? s.seconds : null })),
        notExecuted: stagesOfRun.filter((s) => !(record.stages ?? []).some((r) => r.stage === s)),
        totalSeconds: Math.round((record.stages ?? []).reduce((sum, s) => sum + (s.seconds ?? 0), 0) * 1000) / 1000,
      }
    : null;
  const created = run.rev ? (await runGit(root, ['show', '-s', '--format=%cI', run.rev])).stdout.trim() || null : null;
  const report: RunReport = {
    run,
    created,
    experiments: snapshot.experiments,
    params: snapshot.params,
    metrics: snapshot.metrics,
    plots: snapshot.plots,
    grids,
    timings,
    environments: snapshot.environments,
    report: folder ? `${runReportDir(name)}/index.html` : null,
  };
  if (folder) await folder.write('index.html', renderRunPage(report));
  return report;
}
