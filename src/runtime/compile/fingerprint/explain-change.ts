/**
 * Says in words why two fingerprints of a stage differ, one line per difference: which declaration's code
 * changed, appeared or went away, which package moved from which version to which, and whether Node or the tensor
 * backend changed. Lines are sorted so that the explanation is stable; equal fingerprints give no lines.
 */
import type { StageFingerprint } from './types.js';
import { readRecordedVersion } from './lock-packages.js';

/** Human-readable differences between `before` and `after`, sorted; empty when they are equal. */
export function explainFingerprintChange(before: StageFingerprint, after: StageFingerprint): string[] {
  const lines: string[] = [];
  if (before.version !== after.version) lines.push(`fingerprint version ${before.version} -> ${after.version}`);
  if (before.entry !== after.entry) lines.push(`entry '${before.entry}' -> '${after.entry}'`);
  compareRecords(before.code, after.code, {
    changed: (key) => `code '${key}' changed`,
    added: (key) => `declaration '${key}' added`,
    removed: (key) => `declaration '${key}' removed`,
  }, lines);
  compareRecords(before.packages, after.packages, {
    changed: (name, old, now) => describePackageChange(name, old, now),
    added: (name, now) => `package '${name}' added (${readRecordedVersion(now)})`,
    removed: (name, old) => `package '${name}' removed (was ${readRecordedVersion(old)})`,
  }, lines);
  if (before.node !== after.node) lines.push(`node ${before.node} -> ${after.node}`);
  if (before.backend !== after.backend) lines.push(`backend ${before.backend ?? 'none'} -> ${after.backend ?? 'none'}`);
  return lines.sort();
}

interface Describers {
  changed(key: string, old: string, now: string): string;
  added(key: string, now: string): string;
  removed(key: string, old: string): string;
}

function compareRecords(old: Record<string, string>, now: Record<string, string>, say: Describers, lines: string[]): void {
  for (const key of Object.keys(old)) {
    if (!Object.hasOwn(now, key)) lines.push(say.removed(key, old[key]!));
    else if (old[key] !== now[key]) lines.push(say.changed(key, old[key]!, now[key]!));
  }
  for (const key of Object.keys(now)) if (!Object.hasOwn(old, key)) lines.push(say.added(key, now[key]!));
}

/** "package 'sharp' 0.34.4 -> 0.34.5", or "… integrity changed" when only the tarball differs. */
function describePackageChange(name: string, old: string, now: string): string {
  const [from, to] = [readRecordedVersion(old), readRecordedVersion(now)];
  return from === to ? `package '${name}' ${to} integrity changed` : `package '${name}' ${from} -> ${to}`;
}
