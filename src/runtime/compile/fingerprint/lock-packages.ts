/**
 * Expands the npm packages that reached code imports into everything the lockfile says they pull in, and records
 * each one's locked identity. Dependencies are looked up the way npm installs them: in the dependent's own nested
 * `node_modules` first, then in each enclosing one up to the top level. A directly imported package missing from
 * the lockfile (or with no lockfile at all) is recorded as 'unlocked'; a missing optional or peer dependency is
 * normal (another platform's binary, an unused peer) and is skipped.
 */
import type { LockedPackage, LockfileV3 } from './types.js';

/** The value recorded for a package the lockfile does not pin. */
export const UNLOCKED = 'unlocked';

/** npm name -> 'version integrity' for `names` and their transitive locked dependencies, sorted by name. */
export function collectLockedPackages(names: Iterable<string>, lockfile: LockfileV3 | null): Record<string, string> {
  const found = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const name of names) {
    const location = lockfile === null ? undefined : findLocation(lockfile, '', name);
    if (location === undefined) addValue(found, name, UNLOCKED);
    else queue.push(location);
  }
  while (queue.length > 0) {
    const location = queue.pop()!;
    if (seen.has(location) || lockfile === null) continue;
    seen.add(location);
    const entry = readEntry(lockfile, location)!;
    addValue(found, readNameAt(location), describeEntry(entry));
    const required = Object.keys(entry.dependencies ?? {});
    const optional = [...Object.keys(entry.optionalDependencies ?? {}), ...Object.keys(entry.peerDependencies ?? {})];
    for (const dep of required) {
      const at = findLocation(lockfile, location, dep);
      if (at === undefined) addValue(found, dep, UNLOCKED);
      else queue.push(at);
    }
    for (const dep of optional) {
      const at = findLocation(lockfile, location, dep);
      if (at !== undefined) queue.push(at);
    }
  }
  const result: Record<string, string> = {};
  for (const name of [...found.keys()].sort()) result[name] = [...found.get(name)!].sort().join(', ');
  return result;
}

/** The version part of a recorded value ('0.34.5' from '0.34.5 sha512-…'). */
export function readRecordedVersion(value: string): string {
  return value.split(', ').map((v) => v.split(' ')[0] ?? v).join(', ');
}

/** 'version integrity'; links and entries without integrity fall back to what identifies them. */
function describeEntry(entry: LockedPackage): string {
  if (entry.link === true) return `link ${entry.resolved ?? '?'}`;
  return `${entry.version ?? '?'} ${entry.integrity ?? entry.resolved ?? 'no-integrity'}`;
}

/** Where npm would find `name` when required from the package installed at `from` ('' for the project). */
function findLocation(lockfile: LockfileV3, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (readEntry(lockfile, candidate) !== undefined) return candidate;
    if (dir === '') return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

function readEntry(lockfile: LockfileV3, location: string): LockedPackage | undefined {
  return Object.hasOwn(lockfile.packages, location) ? lockfile.packages[location] : undefined;
}

/** 'node_modules/a/node_modules/@s/b' -> '@s/b'. */
function readNameAt(location: string): string {
  const cut = location.lastIndexOf('node_modules/');
  return location.slice(cut + 'node_modules/'.length);
}

function addValue(found: Map<string, Set<string>>, name: string, value: string): void {
  const values = found.get(name) ?? new Set<string>();
  values.add(value);
  found.set(name, values);
}
