/**
 * Everything a run recorded, read at its revision without checking it out: dvc.lock (output hashes),
 * params.yaml (flattened), the metrics and plots files that dvc.yaml at that revision declares (git-tracked,
 * `cache: false`), and each experiment's environment pin `reports/<experiment>/environment.json` when the
 * run wrote one. Metrics keys read `<experiment>.<stage>.<metrics name>.<key>`, as params keys do.
 */
import { parse as parseYaml } from 'yaml';
import { LOCK_FILE, PARAMS_FILE, PIPELINE_FILE } from '../compile/paths.js';
import type { EnvironmentPin } from '../environment/env-manifest.js';
import { environmentPinPath, parseEnvironmentPin } from '../environment/environment-file.js';
import { readTextAt, type Revision } from './revisions.js';
import { flattenValues, type FlatValue } from './value-diff.js';

/** One output as dvc.lock records it. */
export interface LockOutput {
  readonly path: string;
  /** content hash; a folder's ends in `.dir` */
  readonly md5: string | null;
  readonly size: number | null;
}

/** One plots file of the run. */
export interface PlotData {
  readonly path: string;
  /** `<experiment>.<stage>.<name>` */
  readonly key: string;
  readonly title: string | null;
  /** the x field (dvc.yaml's, else `epoch`/`step` when rows have it, else the row index `#`) */
  readonly x: string;
  /** numeric fields drawn against x */
  readonly y: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
}

export interface RunSnapshot {
  readonly revision: Revision;
  /** dvc.lock's text, undefined when the revision has none (nothing ran there) */
  readonly lockText: string | undefined;
  /** stage name → its outputs */
  readonly outputs: Readonly<Record<string, readonly LockOutput[]>>;
  readonly params: Readonly<Record<string, FlatValue>>;
  readonly metrics: Readonly<Record<string, FlatValue>>;
  readonly plots: readonly PlotData[];
  /** experiment → its environment pin, for those that recorded one */
  readonly environments: Readonly<Record<string, EnvironmentPin>>;
  /** experiments with a stage in dvc.lock */
  readonly experiments: readonly string[];
}

type Declared = string | Record<string, unknown>;
interface PipelineYaml {
  stages?: Record<string, { metrics?: Declared[]; plots?: Declared[] }>;
  plots?: Declared[];
}
interface LockYaml {
  stages?: Record<string, { outs?: { path: string; md5?: string; size?: number }[] }>;
}

/** Reads the run at `revision`. */
export async function readRunSnapshot(root: string, revision: Revision): Promise<RunSnapshot> {
  const read = (path: string) => readTextAt(root, revision, path);
  const lockText = await read(LOCK_FILE);
  const lock = (parseYaml(lockText ?? '') ?? {}) as LockYaml;
  const outputs: Record<string, LockOutput[]> = {};
  for (const [stage, entry] of Object.entries(lock.stages ?? {})) {
    outputs[stage] = (entry.outs ?? []).map((o) => ({ path: o.path, md5: o.md5 ?? null, size: o.size ?? null }));
  }
  const params = flattenValues(parseYaml((await read(PARAMS_FILE)) ?? '') ?? {});
  const pipeline = (parseYaml((await read(PIPELINE_FILE)) ?? '') ?? {}) as PipelineYaml;
  const metrics: Record<string, FlatValue> = {};
  const plotSpecs = new Map<string, Record<string, unknown>>();
  for (const entry of pipeline.plots ?? []) {
    const [path, spec] = declaredEntry(entry);
    plotSpecs.set(path, spec);
  }
  const plots: PlotData[] = [];
  const stageNames = Object.keys(pipeline.stages ?? {}).sort();
  for (const name of stageNames) {
    const stage = pipeline.stages![name]!;
    for (const entry of stage.metrics ?? []) {
      const [path] = declaredEntry(entry);
      const value = parseJson(await read(path));
      if (value !== undefined) Object.assign(metrics, flattenValues(value, keyOfReport(path)));
    }
    for (const entry of stage.plots ?? []) {
      const [path] = declaredEntry(entry);
      const rows = parseJson(await read(path));
      if (Array.isArray(rows) && rows.length > 0) plots.push(plotOf(path, rows as Record<string, unknown>[], plotSpecs.get(path)));
    }
  }
  const experiments = [...new Set(Object.keys(lock.stages ?? {}).map((s) => s.split('_')[0]!))].sort();
  const environments: Record<string, EnvironmentPin> = {};
  for (const experiment of experiments) {
    const pin = parseEnvironmentPin(await read(environmentPinPath(experiment)));
    if (pin) environments[experiment] = pin;
  }
  return { revision, lockText, outputs, params, metrics, plots, environments, experiments };
}

/** `reports/lab/fit/summary.json` → `lab.fit.summary`; `reports/lab/fit/plots/losses.json` → `lab.fit.losses`. */
export function keyOfReport(path: string): string {
  const match = /^reports\/([^/]+)\/([^/]+)\/(?:plots\/)?([^/]+)\.json$/.exec(path);
  return match ? `${match[1]}.${match[2]}.${match[3]}` : path.replace(/\.json$/, '').replace(/\//g, '.');
}

function declaredEntry(entry: Declared): [string, Record<string, unknown>] {
  if (typeof entry === 'string') return [entry, {}];
  const [path, spec] = Object.entries(entry)[0] ?? ['', {}];
  return [path, (spec ?? {}) as Record<string, unknown>];
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function plotOf(path: string, rows: Record<string, unknown>[], spec: Record<string, unknown> | undefined): PlotData {
  const first = rows[0] ?? {};
  const declaredX = typeof spec?.x === 'string' ? spec.x : undefined;
  const x = declaredX ?? (['epoch', 'step'].find((k) => typeof first[k] === 'number') ?? '#');
  const declaredY = Array.isArray(spec?.y) ? (spec.y as unknown[]).filter((v): v is string => typeof v === 'string') : undefined;
  const numeric = Object.keys(first).filter((k) => k !== x && rows.some((r) => typeof r[k] === 'number'));
  const y = declaredY?.filter((k) => numeric.includes(k)) ?? numeric;
  return { path, key: keyOfReport(path), title: typeof spec?.title === 'string' ? spec.title : null, x, y: y.length > 0 ? y : numeric, rows };
}
