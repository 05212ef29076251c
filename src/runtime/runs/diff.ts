/**
 * `repro diff <a> <b>`: two runs compared without checking either out. Params and metrics are read at each
 * revision and diffed in DVC's shape (key → { old, new, diff }). Sample grids are read straight from the
 * DVC cache through each revision's dvc.lock hashes, matched by output path, and compared (SSIM on luma,
 * changed-pixel fraction, a | b | heat map), ranked most-changed first. The loss curves of both runs come
 * from their plots files. The result is also written as a static HTML report under `reports/diff-<a>-<b>/`.
 */
import { ReproError } from '../../errors.js';
import { compareImages } from '../../vision/compare-images.js';
import { dvcCacheDir, type CachedFile } from './dvc-cache.js';
import { combineMissing, listGridImages, readGridImages } from './grid-images.js';
import { renderDiffPage } from './report/diff-page.js';
import { openReportFolder } from './report/folder.js';
import { diffReportDir, imageFileName } from './report/paths.js';
import { resolveRevision, type Revision } from './revisions.js';
import { readRunSnapshot, type PlotData, type RunSnapshot } from './run-snapshot.js';
import { diffValues } from './value-diff.js';
import type { CurvePair, DiffResult, GridComparison } from './diff-result.js';

export interface DiffOptions {
  /** include unchanged params and metrics @default false */
  readonly all?: boolean;
  /** write the HTML report @default true */
  readonly report?: boolean;
}

/** Compares runs `a` and `b` of the project at `root`. */
export async function diffRuns(root: string, a: string, b: string, options: DiffOptions = {}): Promise<DiffResult> {
  const [revA, revB] = [await resolveRevision(root, a), await resolveRevision(root, b)];
  const [snapA, snapB] = [await readRunSnapshot(root, revA), await readRunSnapshot(root, revB)];
  for (const snap of [snapA, snapB]) {
    if (snap.lockText === undefined && Object.keys(snap.params).length === 0) {
      throw new ReproError('RUN_NOT_FOUND', `run '${snap.revision.label}' expected to hold a pipeline run (dvc.lock or params.yaml), received neither at ${snap.revision.rev?.slice(0, 7) ?? 'the workspace'}`, {
        hint: 'run `repro runs` to list the runs',
      });
    }
  }
  const cacheDir = await dvcCacheDir(root);
  const [gridsA, gridsB] = await listBoth(snapA, snapB, cacheDir);
  const byPath = new Map(gridsA.map((g) => [g.path, g]));
  const pairs = gridsB.flatMap((g) => (byPath.has(g.path) ? [{ a: byPath.get(g.path)!, b: g }] : []));
  const [bytesA, bytesB] = await readBoth(pairs, revA, revB, cacheDir);
  const folder = options.report === false ? undefined : await openReportFolder(root, diffReportDir(a, b));
  const grids: GridComparison[] = [];
  for (const pair of pairs) {
    const comparison = await compareImages(bytesA.get(pair.a.path)!, bytesB.get(pair.b.path)!);
    const image = folder ? imageFileName(pair.b.path) : null;
    if (folder && image) await folder.write(image, comparison.sideBySide);
    const { sideBySide: _, ...numbers } = comparison;
    grids.push({ path: pair.b.path, stage: pair.b.stage, identical: pair.a.md5 === pair.b.md5, ...numbers, image });
  }
  grids.sort((x, y) => x.ssim - y.ssim || y.changedFraction - x.changedFraction || x.path.localeCompare(y.path));
  const pathsB = new Set(gridsB.map((g) => g.path));
  const result: DiffResult = {
    a: revA,
    b: revB,
    params: diffValues(snapA.params, snapB.params, { all: options.all === true }),
    metrics: diffValues(snapA.metrics, snapB.metrics, { all: options.all === true }),
    grids,
    onlyInA: gridsA.filter((g) => !pathsB.has(g.path)).map((g) => g.path),
    onlyInB: gridsB.filter((g) => !byPath.has(g.path)).map((g) => g.path),
    curves: pairCurves(snapA.plots, snapB.plots),
    report: folder ? `${diffReportDir(a, b)}/index.html` : null,
  };
  if (folder) await folder.write('index.html', renderDiffPage(result));
  return result;
}

/** Lists both runs' grids; objects missing from either run are reported together. */
async function listBoth(snapA: RunSnapshot, snapB: RunSnapshot, cacheDir: string): Promise<[CachedFile[], CachedFile[]]> {
  const lists = await Promise.allSettled([snapA, snapB].map((s) => listGridImages({ cacheDir, revision: s.revision }, s)));
  throwMissing(lists);
  return [(lists[0] as PromiseFulfilledResult<CachedFile[]>).value, (lists[1] as PromiseFulfilledResult<CachedFile[]>).value];
}

async function readBoth(pairs: readonly { a: CachedFile; b: CachedFile }[], revA: Revision, revB: Revision, cacheDir: string): Promise<[Map<string, Buffer>, Map<string, Buffer>]> {
  const reads = await Promise.allSettled([
    readGridImages({ cacheDir, revision: revA }, pairs.map((p) => p.a)),
    readGridImages({ cacheDir, revision: revB }, pairs.map((p) => p.b)),
  ]);
  throwMissing(reads);
  return [(reads[0] as PromiseFulfilledResult<Map<string, Buffer>>).value, (reads[1] as PromiseFulfilledResult<Map<string, Buffer>>).value];
}

/** Rethrows the first unexpected failure, or all missing cache objects as one error. */
function throwMissing(results: readonly PromiseSettledResult<unknown>[]): void {
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 0) return;
  const other = failures.find((f) => !(f instanceof ReproError) || f.code !== 'CACHE_MISSING');
  if (other !== undefined) throw other;
  const all = (failures as ReproError[]).flatMap((f) => (f.issues.length > 0 ? f.issues.map((i) => new ReproError('CACHE_MISSING', i.message, { hint: f.hint })) : [f]));
  throw combineMissing(all);
}

/** Every plotted field of either run, as a pair of point lists. */
function pairCurves(plotsA: readonly PlotData[], plotsB: readonly PlotData[]): CurvePair[] {
  const keys = [...new Set([...plotsA, ...plotsB].map((p) => p.key))].sort();
  const curves: CurvePair[] = [];
  for (const key of keys) {
    const [pa, pb] = [plotsA.find((p) => p.key === key), plotsB.find((p) => p.key === key)];
    const base = (pb ?? pa)!;
    const fields = [...new Set([...(pa?.y ?? []), ...(pb?.y ?? [])])];
    for (const field of fields) {
      curves.push({ key, title: base.title, x: base.x, field, a: pa ? pointsOf(pa, field) : null, b: pb ? pointsOf(pb, field) : null });
    }
  }
  return curves;
}

/** [x, y] of one field; x is the row index when the plot has no x field. */
export function pointsOf(plot: PlotData, field: string): [number, number][] {
  return plot.rows.flatMap((row, index) => {
    const x = plot.x === '#' ? index : row[plot.x];
    const y = row[field];
    return typeof x === 'number' && typeof y === 'number' ? [[x, y] as [number, number]] : [];
  });
}
