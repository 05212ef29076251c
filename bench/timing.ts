/**
 * Timing helpers for the benchmarks: wall time of a child process, medians over repeats, and one
 * printed line per figure. Benchmarks print figures; nothing here asserts.
 */
import { execa } from 'execa';

/** Wall-clock milliseconds of one run of `file args` in `cwd`; throws when it fails. */
export async function timeCommand(file: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<number> {
  const start = performance.now();
  const result = await execa(file, args, { cwd, env, reject: false, stdin: 'ignore' });
  const elapsed = performance.now() - start;
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed:\n${String(result.stderr)}`);
  return elapsed;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `label  1234 ms (min 1200, max 1300, n=7)` */
export function describe(label: string, samples: readonly number[]): string {
  const fmt = (v: number) => v.toFixed(0);
  return `${label.padEnd(44)} ${fmt(median(samples)).padStart(6)} ms  (min ${fmt(Math.min(...samples))}, max ${fmt(Math.max(...samples))}, n=${samples.length})`;
}
