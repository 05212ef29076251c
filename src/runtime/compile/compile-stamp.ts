/**
 * Remembers the last successful compile so a no-op `repro run` need not load a single experiment: the
 * stamp lists every input of that compile (experiment files, the local code they import, tsconfig,
 * package-lock.json, data paths) and every file it wrote (dvc.yaml, params.yaml, fingerprints), each with
 * mtime and size, plus the Node version, the tensor backend and the machine's cores (a TensorFlow stage's
 * thread counts follow them). While all of them still match, the
 * `PipelineSummary` stored with it is the compile's result; any difference means compiling again.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CACHE_DIR } from './paths.js';
import type { Issue } from '../../errors.js';
import { readTextIfExists, writeJson } from '../../kit/fs-atomic.js';

const STAMP_FILE = `${CACHE_DIR}/compile-stamp.json`;

/** What `repro run` and `repro status` need from a compile, as plain JSON. */
export interface PipelineSummary {
  /** tensor backend recorded in the fingerprints, as `describeBackend` puts it */
  readonly backend: string;
  /**
   * experiment name → its file, the DVC stage names it needs (sorted) and the `x.data` paths it names that
   * are not in the workspace (running it is refused until they are; other experiments run)
   */
  readonly experiments: Readonly<Record<string, { readonly file: string; readonly stages: readonly string[]; readonly missingData?: readonly Issue[] }>>;
  /** every DVC stage in pipeline order */
  readonly stages: readonly { readonly name: string; readonly upstream: readonly string[]; readonly fingerprintFile: string }[];
}

type FileState = [mtimeMs: number, size: number] | null;

interface CompileStamp {
  version: 1;
  node: string;
  /** this machine's cores when it compiled */
  cores: number;
  summary: PipelineSummary;
  /** project-relative path → [mtimeMs, size], or null for a path that must still not exist */
  files: Record<string, FileState>;
}

/** The summary of the last compile when nothing it read or wrote has changed since, else undefined. */
export async function readFreshSummary(root: string, backend: string): Promise<PipelineSummary | undefined> {
  const text = await readTextIfExists(join(root, STAMP_FILE));
  if (!text) return undefined;
  let stamp: CompileStamp;
  try {
    stamp = JSON.parse(text) as CompileStamp;
  } catch {
    return undefined;
  }
  if (stamp.version !== 1 || stamp.node !== process.version || stamp.cores !== availableParallelism() || stamp.summary.backend !== backend) return undefined;
  const states = await Promise.all(Object.entries(stamp.files).map(async ([path, expected]) => sameState(await readState(root, path), expected)));
  return states.every(Boolean) ? stamp.summary : undefined;
}

/** Records a successful compile. `paths` are its inputs and outputs, project-relative. */
export async function writeCompileStamp(root: string, summary: PipelineSummary, paths: readonly string[]): Promise<void> {
  const files: Record<string, FileState> = {};
  for (const path of [...new Set(paths)].sort()) files[path] = await readState(root, path);
  await writeJson(join(root, STAMP_FILE), { version: 1, node: process.version, cores: availableParallelism(), summary, files } satisfies CompileStamp);
}

async function readState(root: string, path: string): Promise<FileState> {
  const info = await stat(join(root, path)).catch(() => undefined);
  // NOTE: a folder's mtime changes when entries are added or removed, which is all the compile checks.
  return info ? [info.mtimeMs, info.isDirectory() ? 0 : info.size] : null;
}

function sameState(actual: FileState, expected: FileState): boolean {
  if (actual === null || expected === null) return actual === expected;
  return actual[0] === expected[0] && actual[1] === expected[1];
}
