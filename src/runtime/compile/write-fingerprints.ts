/**
 * Writes the code fingerprint of every compiled stage to `.repro/fp/<stage>.json` — the file each DVC
 * stage lists in its `deps`, so DVC reruns a stage exactly when the code it can execute, the packages
 * that code imports, the Node version or the tensor backend changed — the backend with the thread counts the
 * stage's declared cores give TensorFlow on this machine. Unchanged files are not rewritten.
 * Each fingerprint is also kept by content hash under `.repro/cache/fp/`, so `repro status --why` can
 * compare what DVC last ran against what is there now.
 */
import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReproError } from '../../errors.js';
import type { CompiledGraph, CompiledStage } from './index.js';
import { CACHE_DIR, FINGERPRINT_DIR } from './paths.js';
import { fingerprintStages, openFileAnalysisCache, serializeFingerprint } from './fingerprint/index.js';
import type { LockfileV3, StageFingerprint } from './fingerprint/types.js';
import { DETERMINISTIC_ENV } from '../../kit/deterministic-mode.js';
import { readTextIfExists, writeFileAtomic, writeIfChanged } from '../../kit/fs-atomic.js';
import { backendKindOf, describeBackend, threadSwitchesFor } from '../../kit/tf-backend.js';

export const FINGERPRINT_HISTORY_DIR = `${CACHE_DIR}/fp`;

/**
 * Computes and writes every stage's fingerprint; returns the project-relative files it changed and each
 * stage's definition as `<module>#<export>` (what `repro exec` imports), by DVC stage name.
 */
export async function writeFingerprints(root: string, graph: CompiledGraph, backend: string): Promise<{ changed: string[]; entries: Map<string, string> }> {
  const lockText = await readTextIfExists(join(root, 'package-lock.json'));
  const lockfile = lockText ? (JSON.parse(lockText) as LockfileV3) : null;
  const cache = openFileAnalysisCache(join(root, CACHE_DIR, 'fingerprint-files.json'));
  await cache.load();
  const requests = [];
  for (const stage of graph.stages) {
    const module = stage.stage.module;
    if (!module) {
      throw new ReproError('EXPERIMENT_INVALID', `stage '${stage.stage.id}' has no known source module, expected defineStage() to be called in a .ts file`);
    }
    requests.push({ file: module, exportName: await findExportName(module, stage.stage), packages: stage.stage.packages });
  }
  // NOTE: one batch shares the parsed module graph across stages; same bytes as one call per stage.
  const fingerprints = await fingerprintStages(requests, { root, lockfile, backend, node: process.version, cache });
  await cache.save();
  const changed: string[] = [];
  const entries = new Map<string, string>();
  for (const [i, stage] of graph.stages.entries()) {
    entries.set(stage.name, fingerprints[i]!.entry);
    const own = fingerprints[i]!;
    const fingerprint = own.backend ? { ...own, backend: stageBackend(own.backend, stage) } : own;
    const text = serializeFingerprint(fingerprint);
    if (await writeIfChanged(join(root, stage.fingerprintFile), text)) changed.push(stage.fingerprintFile);
    await rememberFingerprint(root, text);
  }
  await removeStaleFingerprints(root, new Set(graph.stages.map((s) => s.fingerprintFile)));
  return { changed, entries };
}

/**
 * The backend a TensorFlow stage runs on, as its fingerprint records it: the project's, with the stage's
 * thread pools sized from its declared cores (`threadSwitchesFor`), or with deterministic mode's switches for
 * a stage compiled with `deterministic: true` (one thread each, whatever it declares).
 */
function stageBackend(backend: string, stage: CompiledStage): string {
  const own = stage.deterministic ? DETERMINISTIC_ENV : threadSwitchesFor(stage.resources.cpus);
  return Object.keys(own).length === 0 ? backend : describeBackend(backendKindOf(backend), { ...process.env, ...own });
}

/** The fingerprint DVC last ran with, found by the md5 dvc.lock recorded for the fp file. */
export async function recallFingerprint(root: string, md5: string): Promise<StageFingerprint | undefined> {
  const text = await readTextIfExists(join(root, FINGERPRINT_HISTORY_DIR, `${md5}.json`));
  return text ? (JSON.parse(text) as StageFingerprint) : undefined;
}

async function rememberFingerprint(root: string, text: string): Promise<void> {
  // NOTE: DVC 3 hashes a file's raw bytes with md5, so this key is the one dvc.lock records.
  const md5 = createHash('md5').update(text).digest('hex');
  const target = join(root, FINGERPRINT_HISTORY_DIR, `${md5}.json`);
  if ((await readTextIfExists(target)) === undefined) await writeFileAtomic(target, text);
}

async function findExportName(module: string, stage: object): Promise<string> {
  const exports = (await import(pathToFileURL(module).href)) as Record<string, unknown>;
  const name = Object.keys(exports).sort().find((key) => exports[key] === stage && key !== 'default');
  if (!name) {
    throw new ReproError('EXPERIMENT_INVALID', `stage defined in '${module}' expected to be a named export (export const x = defineStage(...)), received none`);
  }
  return name;
}

async function removeStaleFingerprints(root: string, keep: ReadonlySet<string>): Promise<void> {
  const entries = await readdir(join(root, FINGERPRINT_DIR)).catch(() => [] as string[]);
  for (const entry of entries) {
    const rel = relative(root, join(root, FINGERPRINT_DIR, entry)).split('\\').join('/');
    if (entry.endsWith('.json') && !keep.has(rel)) await rm(join(root, rel), { force: true });
  }
}
