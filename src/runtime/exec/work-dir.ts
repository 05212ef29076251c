/**
 * The resumable work folder of one stage run: `.repro/work/<dvc stage>/<key>/`, where the key hashes the
 * stage's params, its code fingerprint and its input files (path, size, mtime). A stage keeps what a rerun
 * may resume from there (training checkpoints); the folder survives a failed, interrupted or killed run, so running
 * the same stage again finds it, and it is removed once the stage's outputs are in place. Folders left by
 * a different configuration of the same stage are discarded when a new run starts, since resuming from
 * them would mix two configurations. Also removes stale temp outputs a killed run left behind.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { canonicalJson } from '../../kit/canonical-json.js';
import { WORK_DIR } from '../compile/paths.js';
import { readTextIfExists } from '../../kit/fs-atomic.js';

export interface WorkDirRequest {
  readonly root: string;
  /** DVC stage name, e.g. `demo_progressive-train` */
  readonly stageName: string;
  readonly params: unknown;
  /** project-relative fingerprint file of the stage */
  readonly fingerprintFile: string;
  /** input name → project-relative path */
  readonly inputs: Readonly<Record<string, string>>;
}

export interface PreparedWorkDir {
  /** absolute path of the folder (created) */
  readonly path: string;
  /** true when it already held files from an earlier run of the same configuration */
  readonly resumed: boolean;
  /** work folders of other configurations that were discarded */
  readonly discarded: readonly string[];
}

/** Creates (or finds) the work folder for this configuration and discards the stage's other ones. */
export async function prepareWorkDir(request: WorkDirRequest): Promise<PreparedWorkDir> {
  const key = await workKey(request);
  const stageDir = join(request.root, WORK_DIR, request.stageName);
  const path = join(stageDir, key);
  const existing = await readdir(stageDir).catch(() => [] as string[]);
  const discarded: string[] = [];
  for (const entry of existing) {
    if (entry === key) continue;
    await rm(join(stageDir, entry), { recursive: true, force: true });
    discarded.push(entry);
  }
  const resumed = (await readdir(path).catch(() => [] as string[])).length > 0;
  await mkdir(path, { recursive: true });
  return { path, resumed, discarded };
}

/** Removes the stage's work folders (after success). */
export async function removeWorkDir(root: string, stageName: string): Promise<void> {
  await rm(join(root, WORK_DIR, stageName), { recursive: true, force: true });
}

/** Removes `<output>.tmp-*` siblings a killed run left next to each output path. */
export async function removeStaleTemps(root: string, outputs: readonly string[]): Promise<void> {
  for (const output of outputs) {
    const target = join(root, output);
    const prefix = `${basename(target)}.tmp-`;
    const siblings = await readdir(dirname(target)).catch(() => [] as string[]);
    for (const entry of siblings) {
      if (entry.startsWith(prefix)) await rm(join(dirname(target), entry), { recursive: true, force: true });
    }
  }
}

/**
 * sha256 over params, the fingerprint file and every input file's relative path, size and mtime; 16 hex
 * chars. NOTE: a signature, not the bytes: every stage run pays for this key, and reading a large data set
 * here would double a data stage's I/O. A changed file gets a new mtime, so the key moves with it; the
 * miss this allows (same size and mtime, other bytes) only costs a resume from the wrong work, which the
 * trainer's own config hash does not catch — so stat-level identity is the contract, as in our caches.
 */
async function workKey(request: WorkDirRequest): Promise<string> {
  const hash = createHash('sha256');
  hash.update(canonicalJson(request.params ?? {}));
  hash.update('\0');
  hash.update((await readTextIfExists(join(request.root, request.fingerprintFile))) ?? '');
  for (const [name, path] of Object.entries(request.inputs).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`\0input ${name}\0`);
    await hashTree(hash, join(request.root, path));
  }
  return hash.digest('hex').slice(0, 16);
}

async function hashTree(hash: ReturnType<typeof createHash>, top: string): Promise<void> {
  const info = await stat(top).catch(() => undefined);
  if (!info) return;
  const files = info.isDirectory() ? await listFiles(top) : [top];
  for (const file of files) {
    const { size, mtimeMs } = await stat(file);
    hash.update(`\0${relative(top, file)}\0${size}\0${mtimeMs}`);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}
