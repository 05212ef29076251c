/**
 * Proves, without starting DVC, that `dvc repro` would run none of the given stages: each must have a
 * dvc.lock entry whose command, params, and the md5 of every dependency and output (metrics and plots
 * included) equal what is in the workspace now — DVC's own definition of an unchanged stage. Anything this
 * check does not model (a `.dvcignore` rule, frozen or always-changed stages, params from another file)
 * counts as a change, so the answer "nothing to run" is only given when it is certain; otherwise the first
 * difference found is returned and DVC decides. Hashes come from hash-state.ts (stats, no bytes, when
 * nothing changed), which is what makes a no-op `repro run` fast.
 */
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readTextIfExists } from '../kit/fs-atomic.js';
import { LOCK_FILE, PARAMS_FILE, PIPELINE_FILE } from './compile/paths.js';
import { openHashState, type HashState } from './hash-state.js';

/** Why a stage would run. */
export interface StageChange {
  readonly stage: string;
  readonly reason: string;
}

type PathList = readonly (string | Readonly<Record<string, unknown>>)[];
interface YamlStage { cmd?: unknown; deps?: PathList; params?: PathList; outs?: PathList; metrics?: PathList; plots?: PathList; frozen?: unknown; always_changed?: unknown }
interface LockEntry { path: string; md5?: string }
interface LockStage { cmd?: unknown; deps?: LockEntry[]; params?: Record<string, Record<string, unknown>>; outs?: LockEntry[] }

/** The first change that would make DVC run one of `stages`; undefined when none would run. */
export async function findFirstChange(root: string, stages: readonly string[]): Promise<StageChange | undefined> {
  const [pipelineText, lockText, paramsText, ignoreText] = await Promise.all(
    [PIPELINE_FILE, LOCK_FILE, PARAMS_FILE, '.dvcignore'].map((file) => readTextIfExists(join(root, file))),
  );
  const first = stages[0] ?? '';
  if (ignoreText && ignoreText.split('\n').some((line) => line.trim() !== '' && !line.startsWith('#'))) {
    return { stage: first, reason: '.dvcignore has rules this check does not model' };
  }
  const pipeline = (parseYaml(pipelineText ?? '') ?? {}) as { stages?: Record<string, YamlStage> };
  const lock = (parseYaml(lockText ?? '') ?? {}) as { stages?: Record<string, LockStage> };
  const params = parseYaml(paramsText ?? '') as unknown;
  const hashes = await openHashState(root);
  try {
    for (const name of stages) {
      const reason = await stageChange(pipeline.stages?.[name], lock.stages?.[name], params, hashes);
      if (reason) return { stage: name, reason };
    }
    return undefined;
  } finally {
    await hashes.save();
  }
}

async function stageChange(stage: YamlStage | undefined, locked: LockStage | undefined, params: unknown, hashes: HashState): Promise<string | undefined> {
  if (!stage) return `not in ${PIPELINE_FILE}`;
  if (!locked) return 'never ran (no entry in dvc.lock)';
  if (stage.frozen !== undefined || stage.always_changed !== undefined) return 'frozen or always-changed stages are left to DVC';
  if (stage.cmd !== locked.cmd) return 'command changed';
  const depChange = await pathsChange('dependency', paths(stage.deps), locked.deps ?? [], hashes);
  if (depChange) return depChange;
  const paramChange = paramsChange(stage.params ?? [], locked.params ?? {}, params);
  if (paramChange) return paramChange;
  return pathsChange('output', [...paths(stage.outs), ...paths(stage.metrics), ...paths(stage.plots)], locked.outs ?? [], hashes);
}

/** Paths of a dvc.yaml list whose items are `path` or `{ path: options }`. */
function paths(list: PathList | undefined): string[] {
  return (list ?? []).flatMap((item) => (typeof item === 'string' ? [item] : Object.keys(item)));
}

async function pathsChange(kind: string, declared: readonly string[], locked: readonly LockEntry[], hashes: HashState): Promise<string | undefined> {
  const recorded = new Map(locked.map((entry) => [entry.path, entry.md5]));
  if (recorded.size !== new Set(declared).size) return `${kind} list changed`;
  for (const path of declared) {
    if (!recorded.has(path)) return `${kind} '${path}' added`;
    const now = await hashes.hashOf(path);
    if (now === undefined) return `${kind} '${path}' deleted`;
    if (now !== recorded.get(path)) return `${kind} '${path}' modified`;
  }
  return undefined;
}

function paramsChange(declared: PathList, locked: Record<string, Record<string, unknown>>, tree: unknown): string | undefined {
  const recorded = locked[PARAMS_FILE] ?? {};
  if (declared.some((item) => typeof item !== 'string') || Object.keys(locked).some((file) => file !== PARAMS_FILE)) {
    return 'params from other files are left to DVC';
  }
  const keys = declared as readonly string[];
  if (keys.length !== Object.keys(recorded).length) return 'params list changed';
  for (const key of keys) {
    if (!(key in recorded) || !isDeepStrictEqual(readDottedKey(tree, key), recorded[key])) return `param '${key}' changed`;
  }
  return undefined;
}

/** The value at a dotted params key (`demo.warp` → tree.demo.warp), as DVC looks params up. */
export function readDottedKey(tree: unknown, dotted: string): unknown {
  let value = tree;
  for (const part of dotted.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}
