/**
 * Canonical JSON: object keys sorted at every depth, so equal values give equal bytes. Used for
 * dedupe keys, generated files and the one `writeJson` format (2-space indent, final newline).
 */

/** Returns a copy of `value` whose object keys are sorted at every depth. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeysDeep((value as Record<string, unknown>)[key])]),
  );
}

/** Compact canonical JSON, for keys and hashes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

/** Canonical JSON for files: sorted keys, 2-space indent, final newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}
