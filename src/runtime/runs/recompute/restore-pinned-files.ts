/**
 * The first half of a recompute: put the run's pinned files into the scratch checkout. Every cache object
 * the chosen stages read or are compared with is checked first — a missing one is one `CACHE_MISSING`
 * error listing each output and the fetch command — then `dvc checkout` restores them by copy. Targets are
 * the lock's outputs and the `.dvc` files of the data (which may track a folder above the path a stage reads).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ReproError } from '../../../errors.js';
import { LOCK_FILE } from '../../compile/paths.js';
import { runDvc, runGit } from '../../dvc.js';
import { cacheObjectPath, dvcCacheDir, missingObjectError } from '../dvc-cache.js';
import type { Revision } from '../revisions.js';

interface LockEntry {
  path: string;
  md5?: string;
}
export type LockFile = { stages?: Record<string, { deps?: LockEntry[]; outs?: LockEntry[] }> };

/** The run's dvc.lock in the scratch checkout (empty when it has none). */
export async function readLock(dir: string): Promise<LockFile> {
  return (parseYaml((await readFile(join(dir, LOCK_FILE), 'utf8').catch(() => '')) || '{}') ?? {}) as LockFile;
}

/**
 * Checks that the cache holds every object the chosen stages read or are compared with, then restores
 * those files in the scratch checkout with `dvc checkout` (targets: the lock's outputs, and the `.dvc`
 * files of the data — which may track a folder above the path a stage reads).
 */
export async function restorePinnedFiles(root: string, dir: string, lock: LockFile, chosen: readonly string[], revision: Revision): Promise<void> {
  const cacheDir = await dvcCacheDir(root);
  const owners = new Map<string, { md5: string; target: string }>();
  for (const entry of Object.values(lock.stages ?? {})) for (const out of entry.outs ?? []) if (out.md5) owners.set(out.path, { md5: out.md5, target: out.path });
  for (const [file, outs] of await dataFiles(dir)) for (const out of outs) owners.set(out.path, { md5: out.md5, target: file });
  const ownerOf = (path: string) => [...owners.entries()].find(([owned]) => path === owned || path.startsWith(`${owned}/`));
  const needed = new Map<string, { md5: string; target: string }>();
  for (const stage of chosen) {
    for (const entry of [...(lock.stages?.[stage]?.deps ?? []), ...(lock.stages?.[stage]?.outs ?? [])]) {
      const owner = ownerOf(entry.path);
      if (owner) needed.set(owner[0], owner[1]);
    }
  }
  const missing: ReproError[] = [];
  for (const [path, { md5 }] of needed) {
    for (const object of await objectsOf(cacheDir, path, md5)) {
      if (!(await exists(cacheObjectPath(cacheDir, object.md5)))) missing.push(missingObjectError(revision, object.path, object.md5, cacheObjectPath(cacheDir, object.md5)));
    }
  }
  if (missing.length > 0) {
    throw new ReproError('CACHE_MISSING', `run '${revision.label}' expected ${missing.length} more object${missing.length === 1 ? '' : 's'} in the DVC cache to recompute from, received none of ${missing.length === 1 ? 'it' : 'them'}`, {
      issues: missing.map((m) => ({ code: 'CACHE_MISSING' as const, message: m.message })),
      hint: missing[0]!.hint,
    });
  }
  const targets = [...new Set([...needed.values()].map((n) => n.target))].sort();
  // NOTE: one target a call — dvc 3.67 given a .dvc file and a stage output in one call restored only the first.
  for (const target of targets) await runDvc(dir, ['checkout', '--force', '--quiet', target]);
}

/** The `.dvc` files of the scratch checkout and the outputs each tracks (paths relative to the root). */
async function dataFiles(dir: string): Promise<Map<string, { path: string; md5: string }[]>> {
  const listed = (await runGit(dir, ['ls-files', '--', '*.dvc'])).stdout.split('\n').filter((f) => f && !f.startsWith('.dvc/'));
  const files = new Map<string, { path: string; md5: string }[]>();
  for (const file of listed) {
    const parsed = (parseYaml(await readFile(join(dir, file), 'utf8')) ?? {}) as { outs?: LockEntry[] };
    const base = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    files.set(file, (parsed.outs ?? []).filter((o) => o.md5).map((o) => ({ path: `${base}${o.path}`, md5: o.md5! })));
  }
  return files;
}

/** The cache objects behind an output: the file's, or a folder's `.dir` listing and every entry of it. */
async function objectsOf(cacheDir: string, path: string, md5: string): Promise<{ path: string; md5: string }[]> {
  if (!md5.endsWith('.dir')) return [{ path, md5 }];
  const listing = await readFile(cacheObjectPath(cacheDir, md5), 'utf8').catch(() => undefined);
  if (listing === undefined) return [{ path, md5 }];
  return [{ path, md5 }, ...(JSON.parse(listing) as { relpath: string; md5: string }[]).map((e) => ({ path: `${path}/${e.relpath}`, md5: e.md5 }))];
}

/** Whether something is at `path`. */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
