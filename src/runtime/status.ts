/**
 * `repro status`: which stages would run, and why. It compiles (so fingerprints reflect the code on disk),
 * asks `dvc status --json`, and turns DVC's answer into reasons a person can act on: the code declaration,
 * package, Node version or backend that changed (by comparing the fingerprint dvc.lock recorded with the
 * current one), the param key with old → new values, or the input path. A stage whose own inputs are
 * unchanged but whose upstream is stale is `upstream-stale`: DVC reruns it only if the upstream run
 * changes the bytes it reads (content-hashed caching), which cannot be known before running. A stage that
 * never ran is `stale` ("never ran"), or `waiting-for-data` when it reads a data path that is not here
 * (directly, or through an upstream stage that waits): `repro run` refuses or skips its experiment until
 * the data arrives.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ReproError, type Issue } from '../errors.js';
import type { PipelineSummary } from './compile/compile-stamp.js';
import { writePipelineFile } from './compile/pipeline-file.js';
import { readResolvedStage } from './compile/resolved-stage.js';
import { LOCK_FILE, PARAMS_FILE } from './compile/paths.js';
import { canonicalJson } from '../kit/canonical-json.js';
import { ensureCompiled } from './compile/ensure-compiled.js';
import { runDvc } from './dvc.js';
import { explainFingerprintChange } from './compile/fingerprint/index.js';
import type { StageFingerprint } from './compile/fingerprint/types.js';
import { recallFingerprint } from './compile/write-fingerprints.js';
import { readTextIfExists } from '../kit/fs-atomic.js';
import { readDottedKey } from './up-to-date.js';

export interface StageStatus {
  /** DVC stage name */
  readonly name: string;
  /**
   * `stale`: will run; `upstream-stale`: runs if an upstream stage's outputs change; `waiting-for-data`:
   * never ran and cannot run until a data path it reads is here; `up-to-date`
   */
  readonly state: 'stale' | 'upstream-stale' | 'waiting-for-data' | 'up-to-date';
  /** why, one reason a line; empty when up to date */
  readonly reasons: readonly string[];
}

type DvcStatus = Record<string, (string | Record<string, Record<string, unknown>>)[]>;

interface LockEntry {
  deps?: { path: string; md5?: string }[];
  params?: Record<string, Record<string, unknown>>;
}

/** Status of every stage the named experiments need (all when none are named), in pipeline order. */
export async function statusOfPipeline(root: string, options: { experiments?: readonly string[]; backend?: string } = {}): Promise<StageStatus[]> {
  const summary = await ensureCompiled(root, { backend: options.backend });
  await writePipelineFile(root, summary, []); // dvc status reads it: the stages with a result, as dvc.lock now says
  const known = Object.keys(summary.experiments);
  const wanted = options.experiments?.length ? options.experiments : known;
  const unknown = wanted.find((n) => !known.includes(n));
  if (unknown !== undefined) {
    throw new ReproError('EXPERIMENT_NOT_FOUND', `experiment '${unknown}' expected in experiments/ (one of ${known.map((n) => `'${n}'`).join(', ') || 'none'}), received no such experiment`, {
      hint: 'run `repro status` to see every experiment',
    });
  }
  const targets = new Set(wanted.flatMap((n) => summary.experiments[n]?.stages ?? []));
  const dvc = JSON.parse((await runDvc(root, ['status', '--json'])).stdout || '{}') as DvcStatus;
  const lock = ((parseYaml((await readTextIfExists(join(root, LOCK_FILE))) ?? '') ?? {}) as { stages?: Record<string, LockEntry> }).stages ?? {};
  const params = (parseYaml((await readTextIfExists(join(root, PARAMS_FILE))) ?? '') ?? {}) as Record<string, unknown>;
  const stale = new Map<string, string[]>();
  const waiting = new Map<string, string[]>();
  const forData = await findWaitingForData(root, summary, new Set(Object.keys(lock)));
  for (const stage of summary.stages) {
    const reasons: string[] = [];
    const entry = lock[stage.name];
    if (forData.has(stage.name)) continue;
    if (!entry) reasons.push('never ran (not in dvc.lock)');
    else {
      for (const item of dvc[stage.name] ?? []) {
        reasons.push(...(await explainDvcItem(root, item, entry, params, stage.fingerprintFile)));
      }
    }
    if (reasons.length > 0) {
      stale.set(stage.name, [...new Set(reasons)]);
      continue;
    }
    const upstream = stage.upstream.filter((u) => stale.has(u) || waiting.has(u));
    if (upstream.length > 0) waiting.set(stage.name, upstream.map((u) => `reruns if '${u}' changes its outputs`));
  }
  return summary.stages.filter((s) => targets.has(s.name)).map((s): StageStatus => {
    if (forData.has(s.name)) return { name: s.name, state: 'waiting-for-data', reasons: forData.get(s.name)! };
    if (stale.has(s.name)) return { name: s.name, state: 'stale', reasons: stale.get(s.name)! };
    if (waiting.has(s.name)) return { name: s.name, state: 'upstream-stale', reasons: waiting.get(s.name)! };
    return { name: s.name, state: 'up-to-date', reasons: [] };
  });
}

/**
 * Never-run stages of experiments that lack data (the compile's `missingData`), each with why: the data
 * path it reads that is neither in the workspace nor DVC-tracked (`<path>.dvc`), with the experiment line
 * that names it, or the upstream stage it waits on. Reads resolved stages only when some data is missing.
 */
async function findWaitingForData(root: string, summary: PipelineSummary, recorded: ReadonlySet<string>): Promise<Map<string, string[]>> {
  const lacking = Object.values(summary.experiments).filter((e) => (e.missingData?.length ?? 0) > 0);
  const candidates = new Set(lacking.flatMap((e) => e.stages).filter((name) => !recorded.has(name)));
  const issues = lacking.flatMap((e) => e.missingData ?? []);
  const waiting = new Map<string, string[]>();
  for (const { name, upstream } of summary.stages) {
    if (!candidates.has(name)) continue;
    const stage = await readResolvedStage(root, name);
    if (!stage) continue;
    const produced = new Set<string>();
    for (const u of upstream) for (const path of Object.values((await readResolvedStage(root, u))?.outputs ?? {})) produced.add(path);
    const reasons = Object.values(stage.inputs)
      .filter((path) => !produced.has(path) && !existsSync(join(root, path)) && !existsSync(join(root, `${path}.dvc`)))
      .map((path) => `waiting for data '${path}'${locationOf(issues, path)}`);
    reasons.push(...upstream.filter((u) => waiting.has(u)).map((u) => `waiting for '${u}', which waits for data`));
    if (reasons.length > 0) waiting.set(name, [...new Set(reasons)]);
  }
  return waiting;
}

/** ` (experiments/waiting.ts:5)`: the line of the compile's issue about `path`, when there is one. */
function locationOf(issues: readonly Issue[], path: string): string {
  // NOTE: the compile's DATA_MISSING issues name their path first: `data '<path>' expected …`.
  const issue = issues.find((i) => i.message.startsWith(`data '${path}' `));
  if (!issue?.file) return '';
  return ` (${issue.file}${issue.line === undefined ? '' : `:${issue.line}`})`;
}

async function explainDvcItem(
  root: string,
  item: string | Record<string, Record<string, unknown>>,
  entry: LockEntry,
  params: Record<string, unknown>,
  fingerprintFile: string,
): Promise<string[]> {
  if (typeof item === 'string') return [item === 'changed command' ? 'command changed' : item];
  const reasons: string[] = [];
  for (const [kind, changes] of Object.entries(item)) {
    for (const [path, change] of Object.entries(changes)) {
      if (path === fingerprintFile) reasons.push(...(await explainCode(root, entry, fingerprintFile)));
      else if (typeof change === 'object' && change !== null) {
        for (const key of Object.keys(change)) reasons.push(...explainParams(key, entry.params?.[path]?.[key], readDottedKey(params, key)));
      } else {
        const noun = kind === 'changed outs' ? 'output' : 'input';
        reasons.push(`${noun} '${path}' ${String(change)}`);
      }
    }
  }
  return reasons;
}

async function explainCode(root: string, entry: LockEntry, fingerprintFile: string): Promise<string[]> {
  const md5 = entry.deps?.find((d) => d.path === fingerprintFile)?.md5;
  const current = await readTextIfExists(join(root, fingerprintFile));
  const before = md5 ? await recallFingerprint(root, md5) : undefined;
  if (!before || !current) return ['code changed (the fingerprint of the last run is not in .repro/cache here)'];
  const lines = explainFingerprintChange(before, JSON.parse(current) as StageFingerprint);
  return lines.length > 0 ? lines : ['code fingerprint changed'];
}

/** `param 'demo.resize.width' 8 → 16`, one line per leaf that differs. */
function explainParams(prefix: string, before: unknown, after: unknown): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => explainParams(`${prefix}.${k}`, before[k], after[k]));
  }
  if (canonicalJson(before) === canonicalJson(after)) return [];
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  return [`param '${prefix}' ${show(before)} → ${show(after)}`];
}
