/**
 * Params and metrics as DVC compares them: nested objects flattened to dotted keys
 * (`lab.resize-images.width`; arrays stay whole values, as in `dvc params diff`), and a diff of two such
 * maps in DVC's shape, key → `{ old, new, diff }`, where `diff` is `new − old` for two numbers and absent
 * otherwise; a key one side lacks has `null` there. Pure functions.
 */
import { canonicalJson } from '../../kit/canonical-json.js';

/** A flat value: anything but a plain object. */
export type FlatValue = unknown;

/** One changed (or, with `all`, unchanged) key. */
export interface ValueChange {
  readonly old: FlatValue;
  readonly new: FlatValue;
  /** new − old, for two finite numbers */
  readonly diff?: number;
}

/** `{ a: { b: 1, c: [2] } }` → `{ 'a.b': 1, 'a.c': [2] }` (with `prefix.` in front when given). */
export function flattenValues(tree: unknown, prefix = ''): Record<string, FlatValue> {
  const out: Record<string, FlatValue> = {};
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) visit(child, path ? `${path}.${key}` : key);
    } else if (path) {
      out[path] = value;
    }
  };
  visit(tree, prefix);
  return out;
}

/** Whether two flat values are the same (deep, key order ignored). */
export function sameValue(a: FlatValue, b: FlatValue): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/** key → { old, new, diff } for keys whose values differ (every key with `all`), sorted by key. */
export function diffValues(before: Record<string, FlatValue>, after: Record<string, FlatValue>, options: { all?: boolean } = {}): Record<string, ValueChange> {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: Record<string, ValueChange> = {};
  for (const key of keys) {
    const [oldValue, newValue] = [before[key] ?? null, after[key] ?? null];
    if (!options.all && sameValue(oldValue, newValue)) continue;
    const numeric = typeof oldValue === 'number' && typeof newValue === 'number' && Number.isFinite(oldValue) && Number.isFinite(newValue);
    out[key] = numeric ? { old: oldValue, new: newValue, diff: roundDiff(newValue - oldValue) } : { old: oldValue, new: newValue };
  }
  return out;
}

/**
 * Keys with at least two different values among the maps that have them. A key only some maps have (an
 * experiment added later) is not a difference by itself: those runs did not set it to anything.
 */
export function keysThatDiffer(maps: readonly Record<string, FlatValue>[]): string[] {
  const keys = [...new Set(maps.flatMap((m) => Object.keys(m)))].sort();
  return keys.filter((key) => {
    const present = maps.filter((m) => key in m && m[key] !== null && m[key] !== undefined);
    return present.some((m) => !sameValue(m[key], present[0]![key]));
  });
}

/** Drops float noise such as 0.30000000000000004 from a difference. */
function roundDiff(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}
