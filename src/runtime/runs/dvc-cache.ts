/**
 * Reads a run's outputs straight from the local DVC cache through the hashes its dvc.lock records, so two
 * runs can be compared without checking either out. Layout (DVC 3): `<cache>/files/md5/<2 hex>/<rest>`; a
 * file output's object is its bytes, a folder output's hash ends in `.dir` and its object is a JSON list of
 * `{ relpath, md5 }`. The cache folder is what `dvc cache dir` says (it honours `cache.dir`). An object
 * that is not here is a `CACHE_MISSING` error naming the output and `dvc pull` / `repro pull`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReproError } from '../../errors.js';
import { runDvc } from '../dvc.js';
import type { Revision } from './revisions.js';
import type { LockOutput } from './run-snapshot.js';

/** An object in the cache, and what it is the content of. */
export interface CachedFile {
  /** project-relative path the run had this content at, e.g. `out/lab/train/samples/epoch-0001.png` */
  readonly path: string;
  readonly md5: string;
  /** the DVC stage that wrote it */
  readonly stage: string;
}

/** Absolute path of the project's DVC cache folder. */
export async function dvcCacheDir(root: string): Promise<string> {
  const out = (await runDvc(root, ['cache', 'dir'])).stdout.trim().split('\n').pop() ?? '';
  return out || join(root, '.dvc', 'cache');
}

/** `<cache>/files/md5/ab/cdef…` for hash `abcdef…` (a folder's keeps its `.dir`). */
export function cacheObjectPath(cacheDir: string, md5: string): string {
  return join(cacheDir, 'files', 'md5', md5.slice(0, 2), md5.slice(2));
}

/** Where a cache read happens: the run's label and the cache folder. */
export interface CacheContext {
  readonly cacheDir: string;
  readonly revision: Revision;
}

/** The bytes of a cached object; `CACHE_MISSING` naming `path` when it is not in this cache. */
export async function readCacheObject(context: CacheContext, path: string, md5: string): Promise<Buffer> {
  const object = cacheObjectPath(context.cacheDir, md5);
  try {
    return await readFile(object);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw missingObjectError(context.revision, path, md5, object);
  }
}

/** The entries `{ relpath, md5 }` of a folder output, sorted by relpath. */
export async function readDirListing(context: CacheContext, output: LockOutput): Promise<{ relpath: string; md5: string }[]> {
  const bytes = await readCacheObject(context, output.path, output.md5!);
  const entries = JSON.parse(bytes.toString('utf8')) as { relpath: string; md5: string }[];
  return entries.map((e) => ({ relpath: e.relpath, md5: e.md5 })).sort((a, b) => a.relpath.localeCompare(b.relpath));
}

/** The error for an object this cache lacks; `issues` lists every such file when there are several. */
export function missingObjectError(revision: Revision, path: string, md5: string, object: string): ReproError {
  return new ReproError('CACHE_MISSING', `output '${path}' of run '${revision.label}' expected in the DVC cache at '${object}' (md5 ${md5}), received no such object`, {
    hint: fetchHint(revision),
  });
}

/** The command that brings a run's objects into this cache. */
function fetchHint(revision: Revision): string {
  if (revision.experiment) return `run \`repro pull ${revision.experiment}\` (or \`.venv/bin/dvc exp pull <remote> ${revision.experiment}\`) to fetch the run's objects, then try again`;
  if (revision.rev) return 'run `.venv/bin/dvc fetch --all-commits` (or `.venv/bin/dvc pull` with that commit checked out) to fetch its objects, then try again';
  return 'run `.venv/bin/dvc pull` to fetch the workspace\'s objects, then try again';
}
