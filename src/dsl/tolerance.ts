/**
 * How far a recomputed output may be from the run's and still count as reproduced (`repro verify
 * --recompute`). A stage definition declares its own (`tolerance` in `defineStage`), an experiment may
 * override any field per stage instance (`x.stage(s, { ..., tolerance })`), and the compile records the
 * result in `.repro/stages/<stage>.json`, which is tracked with the run and copied into its share
 * manifest, so a collaborator judges a recompute by the author's tolerances. Tolerances are not a
 * dependency: changing one never reruns a stage. A stage that declares none is held to `EXACT`: same bytes
 * or diverged. Plain data only; the comparisons live in src/runtime/runs/recompute/.
 */

/** Limits per file kind; a file within all of its kind's limits is "within tolerance". */
export interface Tolerance {
  /** metrics and other JSON or JSONL numbers: largest |a − b| / max(|a|, |b|) allowed (0: exact) */
  readonly relative: number;
  /** numbers this close count as equal whatever their size (for values near 0, e.g. a KID of 1e-4) */
  readonly absolute: number;
  /** images: the lowest mean SSIM on luma allowed (1: exact) */
  readonly ssim: number;
  /** images: the largest share of pixels whose largest channel changed by more than 8 of 255 */
  readonly changedPixels: number;
  /** float32 tensor and weight files (`.bin`): largest max|a − b| / max|a| allowed (0: exact) */
  readonly tensorRelative: number;
}

/** Same bytes: the default for every stage that declares nothing (data stages). */
export const EXACT: Tolerance = Object.freeze({ relative: 0, absolute: 0, ssim: 1, changedPixels: 0, tensorRelative: 0 });

/**
 * For stages whose float kernels may take other paths on other CPUs (training, export, evaluation), as
 * measured on the demo (README, "Recomputing a run"): one run against a rerun with another TensorFlow
 * thread count.
 */
export const FLOAT_KERNELS: Tolerance = Object.freeze({ relative: 0.05, absolute: 1e-3, ssim: 0.9, changedPixels: 0.2, tensorRelative: 0.05 });

/** The fields a stage or an experiment may set; the rest come from the level below. */
export type ToleranceOverride = Partial<Tolerance>;

/** Applies `overrides` in order over `base`. */
export function resolveTolerance(base: Tolerance, ...overrides: readonly (ToleranceOverride | undefined)[]): Tolerance {
  return Object.assign({}, base, ...overrides.filter((o) => o !== undefined)) as Tolerance;
}

/** True when `tolerance` demands the same bytes. */
export function isExact(tolerance: Tolerance): boolean {
  return (Object.keys(EXACT) as (keyof Tolerance)[]).every((key) => tolerance[key] === EXACT[key]);
}

/** The range each field accepts. */
const RANGES: Readonly<Record<keyof Tolerance, readonly [number, number]>> = {
  relative: [0, Number.POSITIVE_INFINITY],
  absolute: [0, Number.POSITIVE_INFINITY],
  ssim: [-1, 1],
  changedPixels: [0, 1],
  tensorRelative: [0, Number.POSITIVE_INFINITY],
};

/** What is wrong with an override, one message per field: unknown names and values out of range. */
export function checkTolerance(override: unknown): string[] {
  if (override === undefined) return [];
  if (typeof override !== 'object' || override === null || Array.isArray(override)) return [`tolerance expected an object with some of ${Object.keys(RANGES).join(', ')}, received ${JSON.stringify(override)}`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(override)) {
    const range = RANGES[key as keyof Tolerance];
    if (!range) problems.push(`tolerance '${key}' is not a tolerance; expected one of ${Object.keys(RANGES).join(', ')}`);
    else if (typeof value !== 'number' || !Number.isFinite(value) || value < range[0] || value > range[1]) {
      problems.push(`tolerance '${key}' expected a number in [${range[0]}, ${range[1] === Number.POSITIVE_INFINITY ? '∞' : range[1]}], received ${JSON.stringify(value)}`);
    }
  }
  return problems;
}
