/**
 * Writes a fingerprint as deterministic bytes: JSON with every object's keys sorted, 2-space indent and a final
 * newline, so that the same fingerprint always gives the same file and DVC sees a change only when one happened.
 */
import type { StageFingerprint } from './types.js';

/** The fingerprint as sorted-key, 2-space JSON with a trailing newline. */
export function serializeFingerprint(fp: StageFingerprint): string {
  return `${JSON.stringify(sortKeys(fp), null, 2)}\n`;
}

/** A deep copy with object keys in code-unit order (arrays keep their order). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
